package dev.apiary.tracker.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CLOCK_BOOTTIME, the clock of event timestamps and process start times, read from
 * /proc/uptime: Java has no call for it, and ages shown in seconds need no more than its
 * 10 ms resolution.
 */
final class BootClock {

    private static final Path UPTIME = Path.of("/proc/uptime");

    private BootClock() {
    }

    /** Nanoseconds since boot, suspend included. */
    static long nowNanos() {
        try {
            String first = Files.readString(UPTIME).strip().split("\\s+")[0]; // "12345.67"
            int dot = first.indexOf('.');
            long seconds = Long.parseLong(dot < 0 ? first : first.substring(0, dot));
            long hundredths = dot < 0 ? 0 : Long.parseLong((first.substring(dot + 1) + "00").substring(0, 2));
            return seconds * 1_000_000_000L + hundredths * 10_000_000L;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + UPTIME, e);
        }
    }
}
