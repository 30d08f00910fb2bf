package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracker started the way core starts it, without OSGi, through a {@link TestTrackerContext}:
 * it opens ${trackerName}.bpf.o from target/classes, checks the decoder's layouts against it, lets
 * the tracker configure it from its settings ({@code TestConfig} stands in for Declarative
 * Services), loads it, watches everything and attaches it. The opens of this JVM arrive as decoded
 * {@link ${trackerClass}Event}s. Needs root and BPF; elsewhere it is skipped with the reason,
 * except in CI (CI=true), where that fails it.
 *
 * <p>Other processes open files all the time: while a test waits, the ring is read with
 * {@link TestTrackerContext#pump} every 10 ms (as core's dispatcher would read it),
 * and only the events of this process are kept.
 */
@RequiresBpf
class ${trackerClass}BpfTest {

    private static final int SELF = (int) ProcessHandle.current().pid();
    private static final int O_CREAT = 0100;

    @TempDir
    Path dir;

    @Test
    void anOpenArrivesWithItsPathFlagsAndProcess() throws Exception {
        Path file = dir.resolve("written-then-read");
        try (Started tracker = new Started(Map.of())) {
            assertEquals(256 * 1024, tracker.context.object().map("apiary_events").maxEntries(), "the default ring.kb");
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
        try (Started tracker = new Started(Map.of("flags.mask", O_CREAT, "ring.kb", 1024))) {
            assertEquals(1 << 20, tracker.context.object().map("apiary_events").maxEntries(), "ring.kb=1024");
            Files.writeString(file, "x");
            Files.readString(file);

            tracker.await(file, true);
            Thread.sleep(100); // the read's record, were it sent, would be there by now
            assertEquals(List.of(), tracker.events(file, false), "the read is filtered in the kernel");
        }
    }

    /** The tracker started with {@code settings} through a context of its own, and the events of this process read so far. */
    private static final class Started implements AutoCloseable {
        private final TestTrackerContext context = new TestTrackerContext(${trackerClass}Tracker.NAME);
        private final ${trackerClass}Tracker tracker;
        private final List<${trackerClass}Event> mine = new ArrayList<>();

        Started(Map<String, ?> settings) throws Exception {
            try {
                tracker = context.start(new ${trackerClass}Tracker(TestConfig.of(${trackerClass}Tracker.Config.class, settings)));
            } catch (Exception | Error e) {
                context.close();
                throw e;
            }
        }

        /** Reads what waits in the ring, then the opens of {@code file} (creates or not) this process made so far. */
        List<${trackerClass}Event> events(Path file, boolean created) {
            for (Event e : context.pump()) {
                if (e.header().pid() == SELF) {
                    mine.add((${trackerClass}Event) e);
                }
            }
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
                    + " (records lost to a full ring: " + context.lost() + ")");
            return found.get(0);
        }

        /** Stops the tracker, then closes the context: the subscription, the ring and the object. */
        @Override
        public void close() {
            tracker.stop();
            context.close();
        }
    }
}
