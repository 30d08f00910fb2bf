package dev.apiary.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.time.Instant;

/**
 * CLOCK_BOOTTIME, the clock of BPF timestamps ({@code bpf_ktime_get_boot_ns}, event headers)
 * and of process start times, which Java has no call for; and its stamps as wall-clock
 * instants. The offset to the wall clock is measured once; a wall clock stepped later
 * shifts the result by the step. Safe for concurrent use.
 */
public final class BootClock {

    private static final int CLOCK_BOOTTIME = 7;
    private static final MethodHandle CLOCK_GETTIME = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().findOrThrow("clock_gettime"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    // After CLOCK_GETTIME: static initializers run in order.
    private static final long OFFSET_NANOS = measureOffset();

    private BootClock() {
    }

    /** The wall-clock instant of a CLOCK_BOOTTIME stamp. */
    public static Instant toInstant(long bootNanos) {
        long epochNanos = toEpochNanos(bootNanos);
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    /** The same as {@link #toInstant}, as nanoseconds since the epoch (good until 2262). */
    public static long toEpochNanos(long bootNanos) {
        return OFFSET_NANOS + bootNanos;
    }

    /** CLOCK_BOOTTIME now, in nanoseconds. */
    public static long nowNanos() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(16, 8);
            int rc = (int) CLOCK_GETTIME.invokeExact(CLOCK_BOOTTIME, ts);
            if (rc != 0) {
                throw new IllegalStateException("clock_gettime(CLOCK_BOOTTIME) failed");
            }
            return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static long measureOffset() {
        Instant wall = Instant.now();
        long boot = nowNanos();
        return wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - boot;
    }

}
