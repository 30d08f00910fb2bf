package dev.apiary.tracker.xdp;

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
    /** The program attached on this side. */
    final String program;

    Side(int code, String program) {
        this.code = code;
        this.program = program;
    }

    static Side of(int code) {
        return code == INNER.code ? INNER : HOST;
    }

    /** What the packets seen on this side are to the attachment's owner. */
    String direction(boolean container) {
        return !container ? "in" : this == HOST ? "sent" : "received";
    }
}
