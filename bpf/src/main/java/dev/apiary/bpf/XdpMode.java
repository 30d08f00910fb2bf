package dev.apiary.bpf;

/** How an XDP program runs on an interface. */
public enum XdpMode {
    /** The driver's native mode where it has one, else generic: the kernel picks. */
    AUTO(0),
    /** In the driver, before an skb exists; fails on drivers without XDP support. */
    NATIVE(1 << 2),
    /** In the generic network stack, after the skb is built: works on every interface, slower. */
    GENERIC(1 << 1);

    final int flags;

    XdpMode(int flags) {
        this.flags = flags;
    }
}
