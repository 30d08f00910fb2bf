package dev.apiary.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who this process is to the kernel: effective uid and effective capabilities, as
 * {@code /proc/self/status} shows them. Immutable.
 *
 * @param effectiveUid          the effective user id
 * @param effectiveCapabilities the CapEff bit set (bit n = capability n)
 */
public record ProcessCredentials(int effectiveUid, long effectiveCapabilities) {

    public static final int CAP_NET_ADMIN = 12;
    public static final int CAP_SYS_ADMIN = 21;
    public static final int CAP_PERFMON = 38;
    public static final int CAP_BPF = 39;

    /** Reads this process's credentials. */
    public static ProcessCredentials current() {
        try {
            return parse(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status (is /proc mounted?)", e);
        }
    }

    /**
     * Parses the text of a {@code /proc/<pid>/status} file.
     *
     * @throws IllegalArgumentException when the Uid or CapEff line is missing or malformed
     */
    public static ProcessCredentials parse(String status) {
        Integer uid = null;
        Long caps = null;
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] ids = line.substring(4).trim().split("\\s+");
                if (ids.length < 2) {
                    throw new IllegalArgumentException("malformed Uid line in /proc status: " + line);
                }
                uid = Integer.parseInt(ids[1]);
            } else if (line.startsWith("CapEff:")) {
                caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
        }
        if (uid == null || caps == null) {
            throw new IllegalArgumentException("no Uid or CapEff line in /proc status");
        }
        return new ProcessCredentials(uid, caps);
    }

    public boolean isRoot() {
        return effectiveUid == 0;
    }

    public boolean has(int capability) {
        return (effectiveCapabilities & (1L << capability)) != 0;
    }
}
