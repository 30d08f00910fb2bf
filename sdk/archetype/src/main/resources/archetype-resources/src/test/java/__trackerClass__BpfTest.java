package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.EventTypes;
import dev.apiary.sdk.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ${trackerName}.bpf.o loaded for real, without OSGi, watching everything, configured by the
 * tracker from its settings ({@code TestConfig} stands in for Declarative Services): the opens
 * of this JVM arrive as decoded {@link ${trackerClass}Event}s. Needs root and BPF; elsewhere it
 * is skipped with the reason, except in CI (CI=true), where that fails it.
 *
 * <p>Other processes open files all the time, so a reader thread drains the ring as core's
 * dispatcher would and keeps only the events of this process.
 */
@RequiresBpf
class ${trackerClass}BpfTest {

    static {
        // Its events name their tracker and type from the tracker's declaration, as core binds it.
        EventTypes.bind(new ${trackerClass}Tracker(TestConfig.defaults(${trackerClass}Tracker.Config.class)));
    }

    private static final Path OBJECT = Path.of("target/classes/bpf/${trackerName}.bpf.o");
    private static final int SELF = (int) ProcessHandle.current().pid();
    private static final int O_CREAT = 0100;

    @TempDir
    Path dir;

    @Test
    void anOpenArrivesWithItsPathFlagsAndProcess() throws Exception {
        Path file = dir.resolve("written-then-read");
        try (Loaded tracker = new Loaded(Map.of())) {
            assertEquals(256 * 1024, tracker.obj.map("apiary_events").maxEntries(), "the default ring.kb");
            Files.writeString(file, "x");
            Files.readString(file);

            ${trackerClass}Event created = tracker.await(file, true);
            assertEquals(O_CREAT, created.flags() & O_CREAT, "written: created");
            ${trackerClass}Event read = tracker.await(file, false);
            assertEquals(0, read.flags() & 3, "read: O_RDONLY");
            EventHeader h = read.header();
            assertEquals(SELF, h.pid());
            assertEquals(${trackerClass}Decoder.OPEN, h.type());
            assertEquals(0, h.uid());
            assertTrue(h.cgroupId() != 0 && h.mntNs() != 0, h.toString());
            assertEquals("${trackerName}", read.tracker());
            assertEquals("open", read.type());
        }
    }

    @Test
    void theFlagsMaskKeepsOnlyTheOpensThatHoldItsBitsAndTheRingHasItsSize() throws Exception {
        Path file = dir.resolve("created");
        try (Loaded tracker = new Loaded(Map.of("flags.mask", O_CREAT, "ring.kb", 1024))) {
            assertEquals(1 << 20, tracker.obj.map("apiary_events").maxEntries(), "ring.kb=1024");
            Files.writeString(file, "x");
            Files.readString(file);

            tracker.await(file, true);
            Thread.sleep(100); // the read's record, were it sent, would be there by now
            assertEquals(List.of(), tracker.events(file, false), "the read is filtered in the kernel");
        }
    }

    /** The object configured with {@code settings}, loaded and attached, with a thread that decodes this process's records. */
    private static final class Loaded implements AutoCloseable {
        private final BpfObject obj;
        private final RingBuffer ring;
        private final Thread reader;
        private final List<${trackerClass}Event> mine = new CopyOnWriteArrayList<>();
        private volatile boolean reading = true;

        Loaded(Map<String, ?> settings) {
            obj = BpfObject.open(OBJECT);
            ${trackerClass}Decoder decoder = EventDecoder.checkLayouts(new ${trackerClass}Decoder(), obj);
            new ${trackerClass}Tracker(TestConfig.of(${trackerClass}Tracker.Config.class, settings)).configure(obj);
            obj.load();
            // Outside Apiary nobody fills the watch map: watch everything, the host included.
            obj.map("apiary_watched").update(Bytes.u32(0), new byte[] {1});
            obj.attachAll();
            ring = obj.ringBuffer();
            reader = Thread.ofPlatform().name("${trackerName}-ring-reader").start(() -> {
                while (reading) {
                    ring.poll(Duration.ofMillis(5), r -> {
                        EventHeader h = EventHeader.read(r);
                        if (h.pid() == SELF) {
                            mine.add((${trackerClass}Event) decoder.decode(r, h, ContainerRef.HOST));
                        }
                    });
                }
            });
        }

        List<${trackerClass}Event> events(Path file, boolean created) {
            return mine.stream().filter(e -> e.path().equals(file.toString())
                    && ((e.flags() & O_CREAT) != 0) == created).toList();
        }

        /** The one open of {@code file} (a create or not), waiting for it up to 2 s. */
        ${trackerClass}Event await(Path file, boolean created) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (events(file, created).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<${trackerClass}Event> found = events(file, created);
            assertEquals(1, found.size(), "one " + (created ? "create" : "read") + " of " + file
                    + " (records lost to a full ring: " + ring.lostCount() + ")");
            return found.get(0);
        }

        @Override
        public void close() throws InterruptedException {
            reading = false;
            reader.join();
            ring.close();
            obj.close();
        }
    }
}
