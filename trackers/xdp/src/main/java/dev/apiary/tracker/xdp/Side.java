package dev.apiary.tracker.xdp;

import dev.apiary.bpf.XdpMode;

/**
 * Which end of a container's veth pair an XDP program sees. XDP sees only what arrives on an
 * interface, so each end shows one direction of the container's traffic.
 */
enum Side {
    /** The host end (or a host interface a user named): arriving there = sent by the container. */
    HOST(0, "xdp_host"),
    /** The container's own end, in its network namespace: arriving there = received by the container. */
    INNER(1, "xdp_inner");

    /** As XDP_SIDE_* in xdp.bpf.c. */
    final int code;
    /** The program attached on this side in generic mode. */
    final String program;

    Side(int code, String program) {
        this.code = code;
        this.program = program;
    }

    /**
     * The program to attach on this side in {@code mode}: generic mode takes the one without
     * frags support (the kernel then prepares each packet with one linear copy instead of
     * rebuilding it in page-pool pages, see xdp.bpf.c), native and auto the {@code xdp.frags}
     * one (so that a veth peer may keep an MTU above a page).
     */
    String program(XdpMode mode) {
        return mode == XdpMode.GENERIC ? program : program + "_mb";
    }

    static Side of(int code) {
        return code == INNER.code ? INNER : HOST;
    }

    /** What the packets seen on this side are to the attachment's owner. */
    String direction(boolean container) {
        return !container ? "in" : this == HOST ? "sent" : "received";
    }
}
