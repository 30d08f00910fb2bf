package dev.apiary.sdk;

import java.util.Map;

/**
 * Counts a tracker keeps per container outside its events, by name: the syscall tracker's
 * syscalls counted in the kernel. Register it as an OSGi service; reports and metrics read it
 * without knowing the tracker's classes. Safe for concurrent use.
 */
public interface ContainerTallies {

    /** The tracker that counts, as in {@code tracker:list}: "syscall". */
    String tracker();

    /** What is counted, plural, as a report's section names it: "syscalls". */
    String counted();

    /**
     * The counts of {@code container} since the tracker first saw it, by name, largest first;
     * empty when the tracker saw nothing of it or is not running. At most as old as the
     * tracker's own refresh interval.
     */
    Map<String, Long> of(ContainerRef container);
}
