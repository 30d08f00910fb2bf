package dev.apiary.tracker.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it ({@link TestTrackerContext}, its pinned maps in a
 * folder of the context's own; no Docker: it watches everything, the host included), with
 * settings as DS hands them over: they reach the loaded object and the poller.
 */
@RequiresBpf
class SyscallTrackerTest {

    @Test
    void theDefaultsAreTodaysSizes() throws Exception {
        try (TestTrackerContext context = new TestTrackerContext(SyscallTracker.NAME)) {
            SyscallTracker tracker = new SyscallTracker(TestConfig.defaults(SyscallTracker.Config.class));
            context.start(tracker);
            try {
                assertEquals(1 << 20, context.object().map("apiary_events").maxEntries());
                assertEquals(1024, context.object().map("syscall_counts").maxEntries());
                assertEquals(1024, context.object().map("free_slots").maxEntries());
            } finally {
                tracker.stop();
            }
        }
    }

    @Test
    void changedSettingsSizeTheMapsAndPaceThePoller() throws Exception {
        SyscallTracker.Config config = TestConfig.of(SyscallTracker.Config.class,
                Map.of("ring_kb", 512, "slots", 64, "refresh_ms", 100));
        try (TestTrackerContext context = new TestTrackerContext(SyscallTracker.NAME)) {
            SyscallTracker tracker = new SyscallTracker(config);
            context.start(tracker);
            try {
                assertEquals(512 * 1024, context.object().map("apiary_events").maxEntries());
                assertEquals(64, context.object().map("syscall_counts").maxEntries());
                assertEquals(64, context.object().map("free_slots").maxEntries());
                SyscallTracker.Running running = tracker.running().orElseThrow();
                assertEquals(config, running.config());

                // The host makes syscalls all the time: every read of the counters stamps it anew.
                // At 100 ms, 1.5 s see many reads; at the default 1 s, two or three.
                Set<Long> reads = new HashSet<>();
                long end = System.nanoTime() + 1_500_000_000L;
                while (System.nanoTime() < end) {
                    running.table().snapshot().stream().filter(c -> c.container().isHost())
                            .forEach(c -> reads.add(c.lastActive()));
                    Thread.sleep(20);
                }
                assertTrue(reads.size() >= 5, "reads of the counters seen in 1.5 s: " + reads.size());

                // What reports read (ContainerTallies): the same counts by name, largest first.
                Map<String, Long> host = tracker.of(dev.apiary.sdk.ContainerRef.HOST);
                assertTrue(host.getOrDefault("openat", 0L) > 0 || host.getOrDefault("read", 0L) > 0, host.toString());
                List<Long> counts = List.copyOf(host.values());
                for (int i = 1; i < counts.size(); i++) {
                    assertTrue(counts.get(i - 1) >= counts.get(i), "largest first: " + host);
                }
                assertEquals(Map.of(), tracker.of(dev.apiary.sdk.ContainerRef.unnamed("f".repeat(64), "docker")));
            } finally {
                tracker.stop();
            }
            assertEquals(Map.of(), tracker.of(dev.apiary.sdk.ContainerRef.HOST), "a stopped tracker counts nothing");
        }
    }
}
