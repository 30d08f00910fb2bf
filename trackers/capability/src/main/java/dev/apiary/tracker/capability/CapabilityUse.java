package dev.apiary.tracker.capability;

import dev.apiary.sdk.ContainerRef;

/**
 * What the kernel counted for one key: a container's process name checking one capability,
 * with one result, and the first such check as sent (null when the tracker started after it,
 * or the ring lost it).
 *
 * @param runtimeSetup whether the checking process is the container runtime's own (runc:[...])
 */
public record CapabilityUse(ContainerRef container, String capability, int cap, boolean granted, String comm,
        long checks, CapabilityEvent first, boolean runtimeSetup) {}
