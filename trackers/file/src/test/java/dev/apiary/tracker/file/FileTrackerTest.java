package dev.apiary.tracker.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.RingBuffer;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it, with settings as DS hands them over (no Docker:
 * it watches everything, this test's own opens included): they reach the loaded object.
 */
@RequiresBpf
class FileTrackerTest {

    private static final int SELF = (int) ProcessHandle.current().pid();

    private Path dir, target, link;

    @BeforeEach
    void files() throws Exception {
        dir = Files.createTempDirectory("apiary-file-tracker-test").toRealPath();
        target = Files.writeString(dir.resolve("target.txt"), "x");
        link = Files.createSymbolicLink(dir.resolve("link.txt"), target);
    }

    @AfterEach
    void removeFiles() throws Exception {
        Files.deleteIfExists(link);
        Files.deleteIfExists(target);
        Files.deleteIfExists(dir);
    }

    @Test
    void byDefaultTheSizesAreTodaysAndAnAbsolutePathIsResolvedAsPassed() throws Exception {
        try (DirectContext context = new DirectContext()) {
            FileTracker tracker = new FileTracker(TestConfig.defaults(FileTracker.Config.class));
            tracker.start(context);
            assertEquals(32 << 20, context.object.map("apiary_events").maxEntries());
            assertEquals(16384, context.object.map("file_io").maxEntries());
            assertEquals(0, context.object.globals().get("resolve_absolute")[0]);
            assertEquals(link.toString(), openThroughTheLink(context).resolvedPath());
            tracker.stop();
        }
    }

    @Test
    void resolveAbsoluteReadsWhereAnAbsolutePathLeads() throws Exception {
        try (DirectContext context = new DirectContext()) {
            FileTracker tracker = new FileTracker(TestConfig.of(FileTracker.Config.class, Map.of("resolve_absolute", true)));
            tracker.start(context);
            assertEquals(1, context.object.globals().get("resolve_absolute")[0]);
            FileEvent open = openThroughTheLink(context);
            assertEquals(link.toString(), open.path());
            assertEquals(target.toString(), open.resolvedPath(), "through the symlink");
            tracker.stop();
        }
    }

    @Test
    void changedSizesSizeTheRingAndTheFileTable() throws Exception {
        try (DirectContext context = new DirectContext()) {
            FileTracker tracker = new FileTracker(TestConfig.of(FileTracker.Config.class,
                    Map.of("ring_kb", 512, "files", 2048)));
            tracker.start(context);
            assertEquals(512 * 1024, context.object.map("apiary_events").maxEntries());
            assertEquals(2048, context.object.map("file_io").maxEntries());
            tracker.stop();
        }
    }

    @Test
    void theRingIsAPowerOfTwoOfAtLeastAPage() {
        assertEquals(32 << 20, FileTracker.ringBytes(32768));
        assertEquals(512 * 1024, FileTracker.ringBytes(300));
        assertEquals(4096, FileTracker.ringBytes(1));
        assertEquals(1 << 30, FileTracker.ringBytes(1 << 20));
        assertEquals(1 << 30, FileTracker.ringBytes(Integer.MAX_VALUE));
    }

    /** Reads the link by its absolute path and returns the open the tracker recorded. */
    private FileEvent openThroughTheLink(DirectContext context) throws Exception {
        Files.readString(link);
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            for (FileEvent e : context.pump()) {
                if (e.path().equals(link.toString()) && e.syscall().startsWith("open")) {
                    return e;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no open of " + link + " recorded (records lost: " + context.ring.lostCount() + ")");
    }

    /** What core does for a tracker, on the test's thread: load, watch everything, decode this process's records on {@link #pump()}. */
    private static final class DirectContext implements TrackerContext, AutoCloseable {

        private BpfObject object;
        private RingBuffer ring;
        private EventDecoder decoder;

        @Override
        public String trackerName() {
            return FileTracker.NAME;
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

        List<FileEvent> pump() {
            List<FileEvent> out = new ArrayList<>();
            ring.consume(r -> {
                EventHeader h = EventHeader.read(r);
                if (h.pid() == SELF) {
                    out.add((FileEvent) decoder.decode(r, h, ContainerRef.HOST));
                }
            });
            return out;
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
            throw new UnsupportedOperationException("the file tracker subscribes to nothing");
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
