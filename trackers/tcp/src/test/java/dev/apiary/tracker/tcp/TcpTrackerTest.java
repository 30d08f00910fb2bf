package dev.apiary.tracker.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it, through a {@link TrackerContext} that opens the
 * object from target/classes, lets the tracker configure it and loads it (not attached): the
 * settings reach the object and the table's subscription.
 */
@RequiresBpf
class TcpTrackerTest {

    @Test
    void theDefaults() throws Exception {
        try (LoadingContext context = new LoadingContext()) {
            TcpTracker tracker = new TcpTracker(TestConfig.defaults(TcpTracker.Config.class));
            tracker.start(context);
            assertEquals(16 << 20, context.object.map("apiary_events").maxEntries());
            assertEquals(65536, context.object.map("tcp_owners").maxEntries());
            assertEquals(8192, context.object.map("tcp_listeners").maxEntries());
            assertArrayEquals(new byte[] {0}, context.object.globals().get(TcpTracker.STATE_CHANGES), "state changes off");
            assertEquals(65536, context.subscribers.get(0).queueCapacity());
            assertTrue(tracker.running().isPresent());
            tracker.stop();
            assertTrue(tracker.running().isEmpty());
        }
    }

    @Test
    void everySettingReachesTheObjectOrTheTable() throws Exception {
        try (LoadingContext context = new LoadingContext()) {
            TcpTracker tracker = new TcpTracker(TestConfig.of(TcpTracker.Config.class, Map.of("ring_kb", 1000,
                    "state_changes", true, "table_queue", 4096, "sockets", 4096, "listeners", 512)));
            tracker.start(context);
            assertEquals(1 << 20, context.object.map("apiary_events").maxEntries(), "1000 KiB rounded up to 1 MiB");
            assertEquals(4096, context.object.map("tcp_owners").maxEntries());
            assertEquals(512, context.object.map("tcp_listeners").maxEntries());
            assertArrayEquals(new byte[] {1}, context.object.globals().get(TcpTracker.STATE_CHANGES));
            assertEquals(4096, context.subscribers.get(0).queueCapacity());
            tracker.stop();
        }
    }

    /** What core does for a tracker's load, without attaching or reading the ring. */
    private static final class LoadingContext implements TrackerContext, AutoCloseable {

        final List<EventSubscriber> subscribers = new ArrayList<>();
        BpfObject object;

        @Override
        public String trackerName() {
            return TcpTracker.NAME;
        }

        @Override
        public BpfObject load(String resource, Consumer<BpfObject> configure, EventDecoder decoder) {
            object = BpfObject.open(Path.of("target/classes").resolve(resource));
            configure.accept(object);
            object.load();
            return object;
        }

        @Override
        public Containers containers() {
            return TestContainers.running();
        }

        @Override
        public Subscription subscribe(String name, EventSubscriber subscriber) {
            subscribers.add(subscriber);
            return new Subscription() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public long delivered() {
                    return 0;
                }

                @Override
                public long dropped() {
                    return 0;
                }

                @Override
                public int queued() {
                    return 0;
                }

                @Override
                public void close() {
                    subscribers.remove(subscriber);
                }
            };
        }

        @Override
        public void close() {
            if (object != null) {
                object.close();
            }
        }
    }
}
