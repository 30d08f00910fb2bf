package dev.apiary.tracker.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it, through a {@link TestTrackerContext} that opens
 * the object from target/classes, lets the tracker configure it, loads and attaches it: the
 * settings reach the object and the table's subscription.
 */
@RequiresBpf
class TcpTrackerTest {

    @Test
    void theDefaults() throws Exception {
        try (TestTrackerContext context = new TestTrackerContext(TcpTracker.NAME)) {
            TcpTracker tracker = new TcpTracker(TestConfig.defaults(TcpTracker.Config.class));
            context.start(tracker);
            assertEquals(4 << 20, context.object().map("apiary_events").maxEntries());
            assertEquals(65536, context.object().map("tcp_owners").maxEntries());
            assertEquals(8192, context.object().map("tcp_listeners").maxEntries());
            assertArrayEquals(new byte[] {0}, context.object().globals().get(TcpTracker.STATE_CHANGES), "state changes off");
            assertEquals(65536, context.subscribers().get(0).queueCapacity());
            assertTrue(tracker.running().isPresent());
            tracker.stop();
            assertTrue(tracker.running().isEmpty());
        }
    }

    @Test
    void everySettingReachesTheObjectOrTheTable() throws Exception {
        try (TestTrackerContext context = new TestTrackerContext(TcpTracker.NAME)) {
            TcpTracker tracker = new TcpTracker(TestConfig.of(TcpTracker.Config.class, Map.of("ring_kb", 1000,
                    "state_changes", true, "table_queue", 4096, "sockets", 4096, "listeners", 512)));
            context.start(tracker);
            assertEquals(1 << 20, context.object().map("apiary_events").maxEntries(), "1000 KiB rounded up to 1 MiB");
            assertEquals(4096, context.object().map("tcp_owners").maxEntries());
            assertEquals(512, context.object().map("tcp_listeners").maxEntries());
            assertArrayEquals(new byte[] {1}, context.object().globals().get(TcpTracker.STATE_CHANGES));
            assertEquals(4096, context.subscribers().get(0).queueCapacity());
            tracker.stop();
        }
    }
}
