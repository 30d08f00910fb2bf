package dev.apiary.tracker.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it (no Docker: it watches everything, the host
 * included), with settings as DS hands them over: they reach the loaded object and the poller.
 */
@RequiresBpf
class SyscallTrackerTest {

    @Test
    void theDefaultsAreTodaysSizes() throws Exception {
        try (DirectContext context = new DirectContext()) {
            SyscallTracker tracker = new SyscallTracker(TestConfig.defaults(SyscallTracker.Config.class));
            tracker.start(context);
            try {
                assertEquals(1 << 20, context.object.map("apiary_events").maxEntries());
                assertEquals(1024, context.object.map("syscall_counts").maxEntries());
                assertEquals(1024, context.object.map("free_slots").maxEntries());
            } finally {
                tracker.stop();
            }
        }
    }

    @Test
    void changedSettingsSizeTheMapsAndPaceThePoller() throws Exception {
        SyscallTracker.Config config = TestConfig.of(SyscallTracker.Config.class,
                Map.of("ring_kb", 512, "slots", 64, "refresh_ms", 100));
        try (DirectContext context = new DirectContext()) {
            SyscallTracker tracker = new SyscallTracker(config);
            tracker.start(context);
            try {
                assertEquals(512 * 1024, context.object.map("apiary_events").maxEntries());
                assertEquals(64, context.object.map("syscall_counts").maxEntries());
                assertEquals(64, context.object.map("free_slots").maxEntries());
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
            } finally {
                tracker.stop();
            }
        }
    }

    @Test
    void theRingIsAPowerOfTwoOfAtLeastAPage() {
        assertEquals(1 << 20, SyscallTracker.ringBytes(1024));
        assertEquals(512 * 1024, SyscallTracker.ringBytes(300));
        assertEquals(256 * 1024, SyscallTracker.ringBytes(256));
        assertEquals(4096, SyscallTracker.ringBytes(1));
        assertEquals(1 << 30, SyscallTracker.ringBytes(1 << 20));
        assertEquals(1 << 30, SyscallTracker.ringBytes(Integer.MAX_VALUE));
    }

    /** What core does for a tracker: loads from target/classes, pins in a folder of its own, watches everything. */
    private static final class DirectContext implements TrackerContext, AutoCloseable {

        private final Path pinRoot = Path.of("/sys/fs/bpf/apiary-syscall-tracker-test-" + UUID.randomUUID().toString().substring(0, 8));
        private BpfObject object;

        @Override
        public String trackerName() {
            return SyscallTracker.NAME;
        }

        @Override
        public BpfObject load(String resource, Consumer<BpfObject> configure, EventDecoder decoder) {
            try {
                Files.createDirectories(pinRoot);
                object = BpfObject.open(Files.readAllBytes(Path.of("target/classes").resolve(resource)), "syscall", pinRoot);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            configure.accept(object);
            object.reconcilePins();
            object.load();
            object.map("apiary_watched").update(Bytes.u32(0), new byte[] {1});
            object.attachAll();
            return object;
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
            throw new UnsupportedOperationException("no trace in this test");
        }

        @Override
        public void close() throws Exception {
            if (object != null) {
                object.close();
            }
            SyscallBpfTest.removePins(pinRoot);
        }
    }
}
