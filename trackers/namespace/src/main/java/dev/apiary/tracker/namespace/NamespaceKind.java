package dev.apiary.tracker.namespace;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The eight kinds of Linux namespace, with their CLONE_NEW* bit (include/uapi/linux/sched.h)
 * and their name in /proc/PID/ns/. The order is that of {@code ns_ids[]} in namespace.bpf.c.
 */
public enum NamespaceKind {
    MNT(0x00020000, "mnt"),
    PID(0x20000000, "pid"),
    NET(0x40000000, "net"),
    IPC(0x08000000, "ipc"),
    UTS(0x04000000, "uts"),
    USER(0x10000000, "user"),
    CGROUP(0x02000000, "cgroup"),
    TIME(0x00000080, "time");

    /** Every CLONE_NEW* bit. */
    public static final long MASK;

    static {
        long mask = 0;
        for (NamespaceKind k : values()) {
            mask |= k.cloneFlag;
        }
        MASK = mask;
    }

    private final long cloneFlag;
    private final String procName;

    NamespaceKind(long cloneFlag, String procName) {
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    /** Its CLONE_NEW* bit. */
    public long cloneFlag() {
        return cloneFlag;
    }

    /** Its name in /proc/PID/ns/ and in events: "mnt", "pid", ... */
    public String procName() {
        return procName;
    }

    /** The kinds whose CLONE_NEW* bits are set in clone, unshare or setns flags, in enum order; other bits are ignored. */
    public static List<NamespaceKind> ofFlags(long flags) {
        List<NamespaceKind> kinds = new ArrayList<>();
        for (NamespaceKind k : values()) {
            if ((flags & k.cloneFlag) != 0) {
                kinds.add(k);
            }
        }
        return kinds;
    }

    /** The kind named as in /proc/PID/ns/ ("mnt", "net", ...). */
    public static Optional<NamespaceKind> ofProcName(String name) {
        for (NamespaceKind k : values()) {
            if (k.procName.equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The names of kinds, for events and JSON: ["mnt", "pid"]. */
    public static List<String> names(List<NamespaceKind> kinds) {
        return kinds.stream().map(NamespaceKind::procName).toList();
    }
}
