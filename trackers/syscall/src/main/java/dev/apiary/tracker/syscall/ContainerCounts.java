package dev.apiary.tracker.syscall;

import dev.apiary.sdk.ContainerRef;
import java.util.Arrays;

/**
 * One container's syscall counts since it was first seen.
 *
 * @param container  the container ({@link ContainerRef#HOST} for the host's processes)
 * @param total      counts indexed by syscall number; owned by this record, not changed after
 * @param firstSeen  monotonic nanoseconds of the read that first saw it
 * @param lastActive monotonic nanoseconds of the last read that saw new syscalls
 */
public record ContainerCounts(ContainerRef container, long[] total, long firstSeen, long lastActive) {

    /** All its syscalls together. */
    public long sum() {
        return Arrays.stream(total).sum();
    }
}
