package dev.apiary.tracker.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it, through a {@link TestTrackerContext} that loads
 * the object from target/classes and hands the ring's records to the subscribers when asked:
 * the table follows real processes and {@code exec:ps} shows them.
 */
@RequiresBpf
class ExecTrackerTest {

    @Test
    void theTableStartsFromProcAndFollowsExecsAndExits() throws Exception {
        try (TestTrackerContext context = new TestTrackerContext(ExecTracker.NAME)) {
            ExecTracker tracker = new ExecTracker(TestConfig.defaults(ExecTracker.Config.class));
            context.start(tracker);
            ProcessTable table = tracker.running().orElseThrow().table();
            int self = (int) ProcessHandle.current().pid();
            assertTrue(table.snapshot().stream().anyMatch(p -> p.pid() == self), "seeded from /proc");
            assertEquals(8 << 20, context.object().map("apiary_events").maxEntries(), "ring_kb's default, 8 MiB");
            assertEquals(65536, context.subscribers().get(0).queueCapacity(), "table_queue's default");

            Process sleeper = new ProcessBuilder("/bin/sleep", "31.5").start();
            ProcessInfo seen = awaitProcess(context, table, (int) sleeper.pid());
            assertEquals(List.of("/bin/sleep", "31.5"), seen.args());
            assertEquals(self, seen.ppid());

            String ps = new ExecCommands(tracker).ps(false, "host");
            assertTrue(ps.contains(" /bin/sleep 31.5\n"), ps);

            sleeper.destroy();
            sleeper.waitFor();
            context.pump();
            assertFalse(table.snapshot().stream().anyMatch(p -> p.pid() == sleeper.pid()), "gone after its exit");

            tracker.stop();
            assertTrue(tracker.running().isEmpty());
        }
    }

    @Test
    void theRingAndTheTableQueueAreTheConfiguredOnes() throws Exception {
        try (TestTrackerContext context = new TestTrackerContext(ExecTracker.NAME)) {
            ExecTracker tracker = new ExecTracker(
                    TestConfig.of(ExecTracker.Config.class, Map.of("ring_kb", 300, "table_queue", 4096)));
            context.start(tracker);
            assertEquals(512 * 1024, context.object().map("apiary_events").maxEntries(), "300 KiB rounded up to 512");
            assertEquals(4096, context.subscribers().get(0).queueCapacity());
            tracker.stop();
        }
    }

    private static ProcessInfo awaitProcess(TestTrackerContext context, ProcessTable table, int pid) throws Exception {
        for (int i = 0; i < 200; i++) {
            context.pump();
            Optional<ProcessInfo> p = table.snapshot().stream()
                    .filter(x -> x.pid() == pid && x.path().endsWith("/sleep")).findFirst();
            if (p.isPresent()) {
                return p.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("pid " + pid + " never showed up as sleep in the table (records lost to a full ring: "
                + context.lost() + ", delivered: " + context.delivered() + ")");
    }
}
