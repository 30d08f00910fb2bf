package dev.apiary.tracker.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The settings take effect in the object the tracker loads ({@link TestTrackerContext}): the
 * ring's size, and {@code follow_runtimes}, with nothing watched (an empty watch map), so that
 * only a runtime's task can be reported: a copy of unshare(1) named {@code runc-apiary} (a
 * command name starting with "runc").
 */
@RequiresBpf
class NamespaceSettingsBpfTest {

    /** The tracker started with {@code settings}, watching nothing. */
    private static TestTrackerContext started(Map<String, ?> settings) {
        TestTrackerContext context = new TestTrackerContext(NamespaceTracker.NAME).watchingNothing();
        try {
            context.start(new NamespaceTracker(TestConfig.of(NamespaceTracker.Config.class, settings)));
            return context;
        } catch (RuntimeException | Error e) {
            context.close();
            throw e;
        } catch (Exception e) {
            context.close();
            throw new IllegalStateException("the namespace tracker did not start", e);
        }
    }

    /** The events of {@code pid} waiting in the ring now. */
    private static List<Event> eventsOf(TestTrackerContext context, long pid) {
        return context.pump().stream().filter(e -> e.header().pid() == pid).toList();
    }

    @Test
    void theRingIsTheConfiguredSize() {
        try (TestTrackerContext context = started(Map.of("ring_kb", 300))) {
            assertEquals(512 * 1024, context.object().map("apiary_events").maxEntries(), "300 KiB rounded up to 512");
        }
        try (TestTrackerContext context = started(Map.of())) {
            assertEquals(1 << 20, context.object().map("apiary_events").maxEntries(), "the default, 1 MiB");
        }
    }

    @Test
    void aRuntimesTaskIsReportedOnlyWhenRuntimesAreFollowed() throws Exception {
        Path runc = Path.of("target/runtime-test/runc-apiary");
        Files.createDirectories(runc.getParent());
        Files.copy(Path.of("/usr/bin/unshare"), runc, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(runc.toFile().setExecutable(true));
        try (TestTrackerContext followed = started(Map.of());
                TestTrackerContext alone = started(Map.of("follow_runtimes", false))) {
            Process p = new ProcessBuilder(runc.toAbsolutePath().toString(), "--uts", "true").start();
            assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
            // Records are in the ring when the syscall returns, before the process exits.
            List<Event> seen = eventsOf(followed, p.pid());
            assertTrue(seen.stream().anyMatch(e -> e.type().equals("unshare")
                    && e.header().comm().equals("runc-apiary")), "the runtime's unshare: " + seen);
            assertEquals(List.of(), eventsOf(alone, p.pid()), "follow_runtimes=false: not watched, not reported");
        }
    }
}
