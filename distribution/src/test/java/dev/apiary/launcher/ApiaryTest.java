package dev.apiary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API's lifecycle, where it needs no BPF: before start, a failed start, after close. */
class ApiaryTest {

    @TempDir
    Path root;

    @Test
    void beforeStartNothingRuns() throws Exception {
        try (Apiary apiary = Apiary.builder().home(root).checkPrerequisites(false).build()) {
            assertEquals(new ApiaryHome(root), apiary.home());
            assertTrue(assertThrows(IllegalStateException.class, () -> apiary.commands("lb")).getMessage().contains("not started"));
            assertThrows(IllegalStateException.class, () -> apiary.subscribe(ApiaryEvent.Filter.all(), e -> {
            }));
            assertThrows(IllegalStateException.class, apiary::framework);
            assertEquals("(framework not running)", apiary.bundleStates());
            assertEquals(Optional.empty(), apiary.controlSocket());
            apiary.awaitStop(); // no framework: returns at once
        }
    }

    @Test
    void aFailedStartClosesTheRuntimeAndSaysWhyToLaterCommands() throws Exception {
        new TestInstallation(root); // no bundles
        Path socket = root.resolve("run/apiary.sock");
        Apiary apiary = Apiary.builder().home(root).controlSocket(socket).checkPrerequisites(false).build();
        var e = assertThrows(ApiaryException.class, apiary::start);
        assertTrue(e.getMessage().startsWith("no bundles in"), e.getMessage());
        assertFalse(Files.exists(socket), "the installation is read before the socket is claimed");

        var later = assertThrows(IllegalStateException.class, () -> apiary.commands("lb"));
        assertEquals("the Apiary runtime failed to start: " + e.getMessage(), later.getMessage());
        assertTrue(assertThrows(IllegalStateException.class, apiary::start).getMessage().contains("closed"));
        apiary.close(); // again: idempotent
    }

    @Test
    void aStartThatFailsInTheFrameworkReleasesTheSocket() throws Exception {
        TestInstallation installation = new TestInstallation(root);
        installation.bundle("1", "exec", Map.of(FrameworkLauncher.TRACKER_HEADER, "exec"));
        Path socket = root.resolve("run/apiary.sock");
        Apiary apiary = Apiary.builder().home(root).controlSocket(socket).trackers("tcp").checkPrerequisites(false).build();
        var e = assertThrows(ApiaryException.class, apiary::start);
        assertTrue(e.getMessage().startsWith("no tracker named tcp"), e.getMessage());
        assertFalse(Files.exists(socket), "close() after the failure removed the socket");
        assertThrows(IllegalStateException.class, () -> apiary.subscribe(ApiaryEvent.Filter.all(), event -> {
        }), "closed");
    }
}
