package dev.apiary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.testing.RequiresBpf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tracker:config} on every tracker of the distribution and on the ipc example, as a
 * user runs it: the settings are listed with type, default and range; a changed ring size
 * restarts the tracker and its ring really has that size; a value out of range is refused
 * and changes nothing.
 */
@RequiresBpf
class TrackerConfigIT {

    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final Path IPC = Path.of(System.getProperty("apiary.example.ipc.jar", "")).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TRACKERS = List.of("exec", "file", "syscall", "tcp", "namespace", "xdp", "capability", "ipc");

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;

    @BeforeAll
    static void boot() throws Exception {
        assertTrue(Files.isRegularFile(IPC), "the ipc example's jar (apiary.example.ipc.jar): " + IPC);
        runtime = HeadlessRuntime.start(HOME, dir);
        HeadlessRuntime.Result installed = runtime.command("tracker:install " + IPC);
        assertEquals(0, installed.status(), installed.toString());
        for (String t : TRACKERS) {
            runtime.awaitTracker(t);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            runtime.command("tracker:uninstall ipc");
            runtime.close();
        }
    }

    @Test
    void everyTrackerShowsItsSettingsTakesANewRingSizeAndRefusesABadOne() throws Exception {
        for (String t : TRACKERS) {
            HeadlessRuntime.Result shown = runtime.command("tracker:config " + t);
            assertEquals(0, shown.status(), shown.toString());
            assertTrue(shown.out().matches("(?s).*\\nring.kb\\s+int\\s+\\d+\\s+\\d+\\s+from \\d+ to \\d+\\s+\\S.*"),
                    t + " lists ring.kb with its type, default, value and range: " + shown);
            JsonNode settings = JSON.readTree(runtime.command("tracker:config --json " + t).out()).path("settings");
            int before = ringBytes(t);
            int defaultKb = 0;
            for (JsonNode s : settings) {
                if (s.path("key").asText().equals("ring.kb")) {
                    defaultKb = Integer.parseInt(s.path("defaultValue").asText());
                }
            }
            assertEquals(Integer.highestOneBit(defaultKb * 1024 - 1) << 1, before, t + "'s ring is its default size");
            int changedKb = defaultKb == 1024 ? 2048 : 1024;

            HeadlessRuntime.Result changed = runtime.command("tracker:config " + t + " ring.kb=" + changedKb);
            assertEquals(0, changed.status(), changed.toString());
            assertTrue(changed.out().contains("restarted, running"), t + ": " + changed);
            assertEquals(changedKb * 1024, ringBytes(t), t + "'s ring has the new size");

            runtime.assertRefused("tracker:config " + t + " ring.kb=1", "ring.kb=1 is not allowed: int from ");
            runtime.assertRefused("tracker:config " + t + " ring.kb=lots", "nothing was changed");
            assertEquals(changedKb * 1024, ringBytes(t), t + ": a refused value changed nothing");
            assertTrue(runtime.trackerRunning(t), t + " still runs");

            HeadlessRuntime.Result back = runtime.command("tracker:config " + t + " ring.kb=" + defaultKb);
            assertEquals(0, back.status(), back.toString());
        }
    }

    /** The max_entries of the tracker's apiary_events ring, as tracker:info shows it. */
    private static int ringBytes(String tracker) throws Exception {
        JsonNode info = JSON.readTree(runtime.command("tracker:info --json " + tracker).out());
        for (JsonNode m : info.path("maps")) {
            if (m.path("name").asText().equals("apiary_events")) {
                return m.path("maxEntries").asInt();
            }
        }
        throw new AssertionError(tracker + " has no apiary_events map: " + info);
    }
}
