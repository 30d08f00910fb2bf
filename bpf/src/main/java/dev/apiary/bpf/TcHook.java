package dev.apiary.bpf;

/**
 * Where a TC program runs on an interface through tcx (Linux 6.6+): on what arrives, or on
 * what leaves. Several programs may share a hook; each runs in turn.
 */
public enum TcHook {
    /** What arrives on the interface, after the driver (and any XDP program) let it in. */
    INGRESS(46),
    /** What leaves through the interface. */
    EGRESS(47);

    /**
     * BPF_TCX_INGRESS and BPF_TCX_EGRESS of the kernel's enum bpf_attach_type: the libbpf 1.1
     * headers the bindings are generated from predate tcx, so they are written out here.
     */
    final int attachType;

    TcHook(int attachType) {
        this.attachType = attachType;
    }
}
