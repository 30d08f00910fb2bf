package dev.apiary.tracker.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.testing.TestConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it, through a {@link TrackerContext} that loads the
 * object from target/classes and hands the ring's records to the subscribers when asked:
 * the table follows real processes and {@code exec:ps} shows them.
 */
@RequiresBpf
class ExecTrackerTest {

    @Test
    void theTableStartsFromProcAndFollowsExecsAndExits() throws Exception {
        try (DirectContext context = new DirectContext()) {
            ExecTracker tracker = new ExecTracker(TestConfig.defaults(ExecTracker.Config.class));
            tracker.start(context);
            ProcessTable table = tracker.running().orElseThrow().table();
            int self = (int) ProcessHandle.current().pid();
            assertTrue(table.snapshot().stream().anyMatch(p -> p.pid() == self), "seeded from /proc");
            assertEquals(16 << 20, context.object.map("apiary_events").maxEntries(), "ring_kb's default, 16 MiB");
            assertEquals(65536, context.subscribers.get(0).queueCapacity(), "table_queue's default");

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
        try (DirectContext context = new DirectContext()) {
            ExecTracker tracker = new ExecTracker(
                    TestConfig.of(ExecTracker.Config.class, Map.of("ring_kb", 300, "table_queue", 4096)));
            tracker.start(context);
            assertEquals(512 * 1024, context.object.map("apiary_events").maxEntries(), "300 KiB rounded up to 512");
            assertEquals(4096, context.subscribers.get(0).queueCapacity());
            tracker.stop();
        }
    }

    private static ProcessInfo awaitProcess(DirectContext context, ProcessTable table, int pid) throws Exception {
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
                + context.ring.lostCount() + ", delivered: " + context.delivered + ")");
    }

    /** What core does for a tracker, on the test's thread: load, watch everything, deliver on {@link #pump()}. */
    private static final class DirectContext implements TrackerContext, AutoCloseable {

        private final List<EventSubscriber> subscribers = new ArrayList<>();
        private BpfObject object;
        private RingBuffer ring;
        private EventDecoder decoder;
        private long delivered;

        @Override
        public String trackerName() {
            return ExecTracker.NAME;
        }

        @Override
        public BpfObject load(String resource, Consumer<BpfObject> configure, EventDecoder decoder) {
            object = BpfObject.open(Path.of("target/classes").resolve(resource));
            configure.accept(object);
            object.load();
            object.map("apiary_watched").update(Bytes.u32(0), new byte[] {1});
            object.attachAll();
            ring = object.ringBuffer();
            this.decoder = decoder;
            return object;
        }

        void pump() {
            ring.consume(r -> {
                Event e = decoder.decode(r, EventHeader.read(r), ContainerRef.HOST);
                delivered++;
                for (EventSubscriber s : subscribers) {
                    if (s.filter().matches(e)) {
                        s.onEvent(e);
                    }
                }
            });
        }

        @Override
        public Containers containers() {
            return new Containers() {
                @Override
                public List<Container> list() {
                    return List.of();
                }

                @Override
                public Optional<Container> find(String nameOrId) {
                    return Optional.empty();
                }

                @Override
                public ContainerRef ofPid(int pid) {
                    return ContainerRef.HOST;
                }

                @Override
                public ContainerRef ofCgroup(long cgroupId) {
                    return ContainerRef.HOST;
                }
            };
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
            if (ring != null) {
                ring.close();
            }
            if (object != null) {
                object.close();
            }
        }
    }
}
