package dev.apiary.tracker.xdp;

/**
 * Which direction of an attachment's traffic a program sees. With XDP, which only sees what
 * arrives, that is which end of a container's veth pair it is on; with tc both programs are
 * on the host end, one on what arrives there (HOST) and one on what leaves (INNER).
 */
enum Side {
    /** Arriving on the host end (or on a host interface a user named): sent by the container. */
    HOST(0, "host"),
    /** Arriving on the container's own end, i.e. leaving the host end: received by the container. */
    INNER(1, "inner");

    /** As XDP_SIDE_* in xdp.bpf.c. */
    final int code;
    /** The end of the programs' names for this side. */
    private final String suffix;

    Side(int code, String suffix) {
        this.code = code;
        this.suffix = suffix;
    }

    /**
     * The program to attach on this side at {@code hook}: tc_*; in generic mode the XDP
     * program without frags support (the kernel then prepares each packet with one linear
     * copy instead of rebuilding it in page-pool pages, see xdp.bpf.c), in native and auto
     * the {@code xdp.frags} one (so that a veth peer may keep an MTU above a page).
     */
    String program(Hook hook) {
        return switch (hook) {
            case TC -> "tc_" + suffix;
            case GENERIC -> "xdp_" + suffix;
            case NATIVE, AUTO -> "xdp_" + suffix + "_mb";
        };
    }

    static Side of(int code) {
        return code == INNER.code ? INNER : HOST;
    }

    /** What the packets seen on this side are to the attachment's owner: a container's sent/received, an interface's in/out. */
    String direction(boolean container) {
        return container ? (this == HOST ? "sent" : "received") : (this == HOST ? "in" : "out");
    }
}
