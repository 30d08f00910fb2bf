package dev.apiary.tracker.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.PinnedMap;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.SyscallNames;
import dev.apiary.sdk.testing.TestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What {@code tracker:update syscall} relies on: syscall.bpf.o's slot and counter maps are
 * pinned, so a new load under the same pin root finds each cgroup's slot and counts where
 * the previous one left them, and the first poll reports them whole.
 *
 * <p>Loaded by hand, not through a {@code TestTrackerContext}: a context pins under a folder of
 * its own and removes it when it closes, and this test needs two loads one after the other under
 * one pin root (as core's, which outlives a tracker's update), and a third under another. Each
 * load still runs core's steps (layouts checked, configured by the tracker, pins reconciled,
 * loaded, watching everything); the counting program is attached by the test, as the tracker
 * attaches it after filling the free slots.
 */
@RequiresBpf
class SyscallPinnedStateTest {

    private static final Duration RECLAIM = Duration.ofSeconds(60);

    @Test
    void aReloadUnderTheSamePinRootReportsEachCgroupsCountsWholeAndAFreshRootDoesNot() throws Exception {
        Path root = Files.createDirectories(Path.of("/sys/fs/bpf/apiary-syscall-pin-" + UUID.randomUUID()));
        Path otherRoot = Files.createDirectories(Path.of(root + "-fresh"));
        SyscallNames names = SyscallNames.load(KernelCounts.NR_MAX);
        try {
            Map<Long, long[]> before = new HashMap<>();
            try (BpfObject first = load(root, names)) {
                KernelCounts counts = counts(first);
                counts.fillFreeSlots(first.keptFromEarlierLoad("syscall_counts"));
                first.program("syscall_enter").attach();
                for (int round = 0; round < 3; round++) {
                    busyWork();
                    Thread.sleep(100);
                    counts.poll(System.nanoTime()).forEach((cgroup, delta) -> add(before, cgroup, delta));
                }
            }
            long busiest = busiest(before);
            long counted = total(before.get(busiest));
            assertTrue(counted > 100, "this JVM's cgroup made syscalls: " + counted);

            try (BpfObject second = load(root, names)) {
                assertTrue(second.pinnedMaps().stream().filter(p -> p.outcome() == PinnedMap.Outcome.REUSED)
                        .map(PinnedMap::map).toList().containsAll(java.util.List.of("cgroup_slots", "syscall_counts")),
                        second.pinnedMaps().toString());
                KernelCounts counts = counts(second);
                counts.fillFreeSlots(true);
                long[] kept = counts.poll(System.nanoTime()).get(busiest);
                assertNotNull(kept, "the busiest cgroup keeps its slot");
                long[] had = before.get(busiest);
                for (int nr = 0; nr < KernelCounts.NR_MAX; nr++) {
                    // At least what the first load reported: it also counted between its last poll and its close.
                    assertTrue(kept[nr] >= had[nr], "syscall " + names.name(nr) + ": " + kept[nr] + " kept, " + had[nr]
                            + " reported by the first load");
                }
                assertTrue(total(kept) - counted < counted, "no more than the calls since the last poll: "
                        + total(kept) + " vs " + counted);
            }

            try (BpfObject fresh = load(otherRoot, names)) {
                KernelCounts counts = counts(fresh);
                counts.fillFreeSlots(fresh.keptFromEarlierLoad("syscall_counts"));
                assertTrue(fresh.pinnedMaps().stream().allMatch(p -> p.outcome() == PinnedMap.Outcome.NEW));
                assertEquals(null, counts.poll(System.nanoTime()).get(busiest), "another pin root: nothing kept");
            }
        } finally {
            removePins(root);
            removePins(otherRoot);
        }
    }

    private static BpfObject load(Path root, SyscallNames names) {
        BpfObject obj = BpfObject.open(readObject(), "syscall", root);
        EventDecoder.checkLayouts(new SyscallDecoder(names), obj);
        new SyscallTracker(TestConfig.defaults(SyscallTracker.Config.class)).configure(obj);
        obj.reconcilePins();
        obj.load();
        obj.map("apiary_watched").update(Bytes.u32(0), new byte[] {1});
        return obj;
    }

    private static KernelCounts counts(BpfObject obj) {
        return new KernelCounts(obj.map("cgroup_slots"), obj.map("syscall_counts"), obj.map("free_slots"),
                obj.map("syscall_misses"), obj.map("apiary_watched"), RECLAIM.toNanos());
    }

    private static void busyWork() throws Exception {
        for (int i = 0; i < 200; i++) {
            Files.readString(Path.of("/proc/self/stat"));
        }
    }

    private static void add(Map<Long, long[]> into, long cgroup, long[] delta) {
        long[] sum = into.computeIfAbsent(cgroup, c -> new long[KernelCounts.NR_MAX]);
        for (int i = 0; i < delta.length; i++) {
            sum[i] += delta[i];
        }
    }

    private static long total(long[] counts) {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    private static long busiest(Map<Long, long[]> byCgroup) {
        return byCgroup.entrySet().stream().max((a, b) -> Long.compare(total(a.getValue()), total(b.getValue())))
                .orElseThrow().getKey();
    }

    private static byte[] readObject() {
        try {
            return Files.readAllBytes(Path.of("target/classes/bpf/syscall.bpf.o"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void removePins(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (var pins = Files.list(root)) {
            for (Path p : pins.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(root);
    }
}
