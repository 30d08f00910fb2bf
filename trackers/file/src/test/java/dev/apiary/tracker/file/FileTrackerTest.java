package dev.apiary.tracker.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it ({@link TestTrackerContext}), with settings as DS
 * hands them over (no Docker: it watches everything, this test's own opens included): they
 * reach the loaded object.
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
        try (TestTrackerContext context = new TestTrackerContext(FileTracker.NAME)) {
            FileTracker tracker = new FileTracker(TestConfig.defaults(FileTracker.Config.class));
            context.start(tracker);
            assertEquals(8 << 20, context.object().map("apiary_events").maxEntries());
            assertEquals(16384, context.object().map("file_io").maxEntries());
            assertEquals(0, context.object().globals().get("resolve_absolute")[0]);
            assertEquals(link.toString(), openThroughTheLink(context).resolvedPath());
            tracker.stop();
        }
    }

    @Test
    void resolveAbsoluteReadsWhereAnAbsolutePathLeads() throws Exception {
        try (TestTrackerContext context = new TestTrackerContext(FileTracker.NAME)) {
            FileTracker tracker = new FileTracker(TestConfig.of(FileTracker.Config.class, Map.of("resolve_absolute", true)));
            context.start(tracker);
            assertEquals(1, context.object().globals().get("resolve_absolute")[0]);
            FileEvent open = openThroughTheLink(context);
            assertEquals(link.toString(), open.path());
            assertEquals(target.toString(), open.resolvedPath(), "through the symlink");
            tracker.stop();
        }
    }

    @Test
    void changedSizesSizeTheRingAndTheFileTable() throws Exception {
        try (TestTrackerContext context = new TestTrackerContext(FileTracker.NAME)) {
            FileTracker tracker = new FileTracker(TestConfig.of(FileTracker.Config.class,
                    Map.of("ring_kb", 512, "files", 2048)));
            context.start(tracker);
            assertEquals(512 * 1024, context.object().map("apiary_events").maxEntries());
            assertEquals(2048, context.object().map("file_io").maxEntries());
            tracker.stop();
        }
    }

    /** Reads the link by its absolute path and returns the open the tracker recorded. */
    private FileEvent openThroughTheLink(TestTrackerContext context) throws Exception {
        Files.readString(link);
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            for (Event e : context.pump()) {
                if (e.header().pid() == SELF && e instanceof FileEvent f
                        && f.path().equals(link.toString()) && f.syscall().startsWith("open")) {
                    return f;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no open of " + link + " recorded (records lost: " + context.lost() + ")");
    }
}
