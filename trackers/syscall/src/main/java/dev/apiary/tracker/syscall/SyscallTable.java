package dev.apiary.tracker.syscall;

import dev.apiary.sdk.ContainerRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Syscall counts per container since each was first seen, built from the per-cgroup counts
 * {@link KernelCounts} reads. All cgroups of one container (its own, and any a runtime adds)
 * add up under the container's id.
 *
 * <p>Thread-safe: the poller {@link #add}s while commands take {@link #snapshot}s
 * (synchronised; both are short).
 */
public final class SyscallTable {

    private final int size;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final Map<Long, ContainerRef> cgroups = new HashMap<>();

    /** @param size how many syscall numbers a row holds */
    public SyscallTable(int size) {
        this.size = size;
    }

    /**
     * Adds counts made since the last call.
     *
     * @param deltas  counts per cgroup id (arrays indexed by syscall number)
     * @param now     monotonic nanoseconds of this read
     * @param resolve the container of a cgroup id (asked again while it is not known by name)
     */
    public synchronized void add(Map<Long, long[]> deltas, long now, LongFunction<ContainerRef> resolve) {
        for (Map.Entry<Long, long[]> d : deltas.entrySet()) {
            ContainerRef ref = cgroups.get(d.getKey());
            if (ref == null || ref.name().isEmpty()) {
                ref = resolve.apply(d.getKey());
                cgroups.put(d.getKey(), ref);
            }
            ContainerRef known = ref;
            Row row = rows.computeIfAbsent(ref.id(), id -> new Row(known, new long[size], now));
            row.ref = ref; // a name learned later replaces the bare id
            long[] counts = d.getValue();
            for (int nr = 0; nr < Math.min(size, counts.length); nr++) {
                row.total[nr] += counts[nr];
            }
            row.lastActive = now;
        }
    }

    /** Every container with counts, in the order first seen; copies. */
    public synchronized List<ContainerCounts> snapshot() {
        List<ContainerCounts> out = new ArrayList<>(rows.size());
        for (Row r : rows.values()) {
            out.add(new ContainerCounts(r.ref, r.total.clone(), r.firstSeen, r.lastActive));
        }
        return out;
    }

    /** One container's counts (a copy), or empty when it has none. */
    public synchronized java.util.Optional<ContainerCounts> of(String containerId) {
        Row r = rows.get(containerId);
        return r == null ? java.util.Optional.empty()
                : java.util.Optional.of(new ContainerCounts(r.ref, r.total.clone(), r.firstSeen, r.lastActive));
    }

    private static final class Row {
        ContainerRef ref;
        final long[] total;
        final long firstSeen;
        long lastActive;

        Row(ContainerRef ref, long[] total, long firstSeen) {
            this.ref = ref;
            this.total = total;
            this.firstSeen = firstSeen;
            this.lastActive = firstSeen;
        }
    }
}
