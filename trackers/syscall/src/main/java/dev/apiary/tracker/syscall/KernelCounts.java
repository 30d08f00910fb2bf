package dev.apiary.tracker.syscall;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.WatchRules;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads syscall.bpf.c's counters and turns them into counts per cgroup since the last read;
 * keeps the kernel's cached watch decisions in step with the watch map and reclaims the slots
 * of idle cgroups (see the comment at the top of syscall.bpf.c).
 *
 * <p>Not thread-safe: one thread (the tracker's poller) calls {@link #poll} at an interval.
 */
final class KernelCounts {

    /** As in syscall.bpf.c. */
    static final int NR_MAX = 512;
    static final int SLOT_NONE = 0xffffffff;
    static final int MISS_SLOTS_FULL = 0, MISS_TRACE_RATE = 1, MISS_NR_RANGE = 2;
    /** apiary/watch.h's mode keys. */

    private final BpfMap cgroupSlots, counts, freeSlots, misses;
    private final WatchRules watched;
    private final long reclaimAfterNanos;

    /** What each slot held at the last read, summed over CPUs, and whose it was. */
    private final Map<Integer, long[]> previous = new HashMap<>();
    private final Map<Integer, Long> owner = new HashMap<>();
    /** When each counted cgroup last made a syscall (or was first seen). */
    private final Map<Long, Long> lastActive = new HashMap<>();
    /** Slots whose cgroup entry was deleted at the last poll: read once more, zeroed, freed now. */
    private final List<Integer> reclaiming = new ArrayList<>();

    /**
     * @param reclaimAfterNanos how long a cgroup may make no syscall before its slot is given back
     *                          (its counts are kept by the caller; a later syscall gets it a new slot)
     */
    KernelCounts(BpfMap cgroupSlots, BpfMap counts, BpfMap freeSlots, BpfMap misses, BpfMap watched,
            long reclaimAfterNanos) {
        this.cgroupSlots = cgroupSlots;
        this.counts = counts;
        this.freeSlots = freeSlots;
        this.misses = misses;
        this.watched = new WatchRules(watched);
        this.reclaimAfterNanos = reclaimAfterNanos;
    }

    /**
     * Gives the kernel's free queue every slot no cgroup holds: call once after load, before
     * the programs attach. cgroup_slots and syscall_counts are pinned, so after a
     * {@code tracker:update} they may be the previous version's: a cgroup that held a slot keeps
     * it and the counts in it (the first {@link #poll} reports them whole, as counts since the
     * slot was taken), a slot that was being reclaimed is freed, and an entry pointing past a
     * resized counter map is dropped.
     *
     * @param countsKept whether syscall_counts is the previous version's (its free rows are zeroed)
     */
    void fillFreeSlots(boolean countsKept) {
        int slots = counts.maxEntries();
        Set<Integer> held = new HashSet<>();
        for (BpfMap.Entry e : cgroupSlots.entries()) {
            int slot = ByteBuffer.wrap(e.value()).order(ByteOrder.nativeOrder()).getInt(0);
            if (slot == SLOT_NONE) {
                continue;
            }
            if (slot < 0 || slot >= slots || !held.add(slot)) {
                cgroupSlots.delete(e.key());
            }
        }
        byte[] zeros = countsKept ? new byte[counts.lookup(Bytes.u32(0)).orElseThrow().length] : null;
        for (int slot = 0; slot < slots; slot++) {
            if (held.contains(slot)) {
                continue;
            }
            if (countsKept) {
                counts.update(Bytes.u32(slot), zeros);
            }
            pushFree(slot);
        }
    }

    /**
     * Reads every counted cgroup's slot.
     *
     * @param now CLOCK_BOOTTIME (or any monotonic) nanoseconds, for idleness
     * @return syscall counts per cgroup id since the last call (arrays of {@link #NR_MAX}); only cgroups that made some
     */
    Map<Long, long[]> poll(long now) {
        Map<Long, long[]> deltas = new HashMap<>();
        for (int slot : reclaiming) {
            Long cgroup = owner.remove(slot);
            byte[] raw = counts.lookup(Bytes.u32(slot)).orElseThrow();
            if (cgroup != null) {
                addDelta(deltas, cgroup, sum(raw), previous.remove(slot));
                lastActive.remove(cgroup);
            }
            counts.update(Bytes.u32(slot), new byte[raw.length]); // every CPU's row back to zero
            pushFree(slot);
        }
        reclaiming.clear();

        for (BpfMap.Entry e : cgroupSlots.entries()) {
            ByteBuffer v = ByteBuffer.wrap(e.value()).order(ByteOrder.nativeOrder());
            long cgroup = Bytes.toU64(e.key());
            int slot = v.getInt(0);
            int mntNs = v.getInt(4);
            boolean counted = slot != SLOT_NONE;
            if (counted != watched.watching(Integer.toUnsignedLong(mntNs))) {
                release(e.key(), slot, counted); // the scope changed (or slots ran out): decide again
                continue;
            }
            if (!counted) {
                continue;
            }
            Long had = owner.put(slot, cgroup);
            if (had == null || had != cgroup) {
                previous.remove(slot); // a reclaimed slot starts from zero
                lastActive.put(cgroup, now);
            }
            long[] current = readSlot(slot);
            if (addDelta(deltas, cgroup, current, previous.put(slot, current))) {
                lastActive.put(cgroup, now);
            } else if (now - lastActive.getOrDefault(cgroup, now) > reclaimAfterNanos) {
                release(e.key(), slot, true);
            }
        }
        return deltas;
    }

    /** A per-CPU miss counter summed over CPUs (MISS_*). */
    long misses(int which) {
        return misses.sumPerCpu(Bytes.u32(which));
    }

    /** How many slots are in use now. */
    int slotsInUse() {
        return owner.size();
    }

    private void release(byte[] key, int slot, boolean counted) {
        cgroupSlots.delete(key);
        if (counted) {
            reclaiming.add(slot); // a program may still be writing to it now: read and free it next time
        }
    }

    /** Adds current - previous to the cgroup's deltas; whether anything was added. */
    private static boolean addDelta(Map<Long, long[]> deltas, long cgroup, long[] current, long[] previous) {
        long[] delta = null;
        for (int nr = 0; nr < current.length; nr++) {
            long d = current[nr] - (previous == null ? 0 : previous[nr]);
            if (d > 0) {
                if (delta == null) {
                    delta = deltas.computeIfAbsent(cgroup, c -> new long[NR_MAX]);
                }
                delta[nr] += d;
            }
        }
        return delta != null;
    }

    /** The slot's counters summed over CPUs. */
    private long[] readSlot(int slot) {
        return sum(counts.lookup(Bytes.u32(slot)).orElse(new byte[0]));
    }

    /** Per-CPU rows (each the map's value size) added up. */
    private long[] sum(byte[] all) {
        long[] sum = new long[NR_MAX];
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.nativeOrder());
        int row = counts.valueSize();
        for (int cpu = 0; cpu < all.length / row; cpu++) {
            for (int nr = 0; nr < NR_MAX; nr++) {
                sum[nr] += b.getLong(cpu * row + nr * 8);
            }
        }
        return sum;
    }

    private void pushFree(int slot) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment value = call.allocateFrom(ValueLayout.JAVA_INT, slot);
            freeSlots.update(MemorySegment.NULL, value, BpfMap.UpdateMode.ANY);
        }
    }
}
