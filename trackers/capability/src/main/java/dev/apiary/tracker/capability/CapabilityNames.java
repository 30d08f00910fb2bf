package dev.apiary.tracker.capability;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Linux capability numbers and names, as include/uapi/linux/capability.h numbers them (the
 * kernel's ABI: a number never changes meaning). A number past the table, from a newer
 * kernel, is named {@code CAP_NNN}.
 */
public final class CapabilityNames {

    /** Index = the capability's number. */
    static final List<String> NAMES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
            "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
            "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    private CapabilityNames() {
    }

    /** "CAP_CHOWN" for 0; "CAP_NNN" for a number the table does not know. */
    public static String name(int cap) {
        return cap >= 0 && cap < NAMES.size() ? NAMES.get(cap) : "CAP_" + cap;
    }

    /** The number of "CAP_CHOWN", "chown" or "CHOWN"; empty when no capability has that name. */
    public static OptionalInt number(String name) {
        String n = name.strip().toUpperCase(Locale.ROOT);
        int i = NAMES.indexOf(n.startsWith("CAP_") ? n : "CAP_" + n);
        return i < 0 ? OptionalInt.empty() : OptionalInt.of(i);
    }
}
