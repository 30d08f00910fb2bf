package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party tracker from nothing to a running Apiary, as docs/authoring-trackers.md tells
 * it: {@code archetype:generate} with apiary-tracker-archetype into an empty folder outside the
 * repository, {@code mvn verify} of the generated project (its own BPF test included) against
 * the Apiary artifacts in the local repository, {@code tracker:install} of its jar into
 * {@code bin/apiary --headless}, an open in a busybox container seen in the JSON output with the
 * container's name, the generated command, {@code tracker:update} and {@code tracker:uninstall}.
 *
 * <p>Maven runs offline ({@code -o}) with the local repository of this build (passed on when it is
 * not the default): the reactor has
 * installed the archetype, apiary-tracker-parent, apiary-parent and the plugin before this test
 * runs (scripts/test runs {@code mvnw install}).
 */
@RequiresBpf
@RequiresDocker
class ArchetypeIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final Path REPO = Path.of(System.getProperty("apiary.repo", "..")).toAbsolutePath().normalize();
    private static final String APIARY_VERSION = System.getProperty("apiary.version", "0.1.0-SNAPSHOT");
    private static final String ARCHETYPE_PLUGIN = "org.apache.maven.plugins:maven-archetype-plugin:"
            + System.getProperty("apiary.archetype.plugin", "3.4.1") + ":generate";
    private static final String TRACKER = "hello";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aGeneratedTrackerBuildsInstallsSeesAContainersOpensAndUninstalls() throws Exception {
        assertTrue(Files.isExecutable(HOME.resolve("bin/apiary")), "assembled runtime at " + HOME);
        Path work = Files.createDirectories(dir.resolve("work"));
        mvn(work, ARCHETYPE_PLUGIN, "-DarchetypeGroupId=dev.apiary", "-DarchetypeArtifactId=apiary-tracker-archetype",
                "-DarchetypeVersion=" + APIARY_VERSION, "-DgroupId=com.example", "-DartifactId=hello-tracker",
                "-Dpackage=com.example.hello", "-DtrackerName=" + TRACKER);
        Path project = work.resolve("hello-tracker");
        for (String file : List.of("pom.xml", "README.md", "src/main/bpf/hello.bpf.c",
                "src/main/java/com/example/hello/HelloTracker.java", "src/test/java/com/example/hello/HelloBpfTest.java")) {
            assertTrue(Files.isRegularFile(project.resolve(file)), "generated " + file);
        }
        String pom = Files.readString(project.resolve("pom.xml"));
        assertTrue(pom.contains("<artifactId>apiary-tracker-parent</artifactId>") && pom.contains(APIARY_VERSION), pom);

        String build = mvn(project, "verify");
        assertTrue(build.matches("(?s).*Tests run: [1-9]\\d*, Failures: 0, Errors: 0, Skipped: 0[^\n]*BpfTest.*"),
                "its BPF test ran, nothing skipped:\n" + build);
        Path jar = project.resolve("target/hello-tracker-1.0-SNAPSHOT.jar");
        assertTrue(Files.isRegularFile(jar), "built " + jar);

        String container = Docker.uniqueName("archetype");
        try (HeadlessRuntime runtime = HeadlessRuntime.start(HOME, dir)) {
            ok("run", "-d", "--name", container, "busybox:local", "sleep", "300");

            HeadlessRuntime.Result installed = runtime.command("tracker:install " + jar);
            assertEquals(0, installed.status(), installed.toString());
            assertTrue(installed.out().contains("tracker hello installed and started, running"), installed.toString());
            assertTrue(runtime.command("tracker:list").out().lines()
                    .anyMatch(l -> l.startsWith("hello ") && l.contains("running") && l.contains("com.example.hello")));
            assertTrue(bpfPrograms().contains("hello_openat"), "its program is attached");

            String path = "/tmp/hello-" + UUID.randomUUID();
            JsonNode open = openIn(runtime, container, path);
            assertEquals("open", open.path("type").asText());
            assertEquals("busybox:local", open.path("container").path("image").asText());
            assertEquals(0, open.path("flags").asInt() & 3, "cat opens read-only: " + open);
            assertEquals("cat", open.path("comm").asText(), open.toString());

            assertRecentShows(runtime, container, path);
            runtime.assertRefused("hello:recent --count abc", "--count: 'abc' is not a count; give a whole number, 0 for no limit");
            runtime.assertRefused("hello:recent nosuchcontainer", "no container named nosuchcontainer; running: ");

            // A rebuilt jar replaces the running one; the new one sees opens too.
            HeadlessRuntime.Result updated = runtime.command("tracker:update hello " + jar);
            assertTrue(updated.out().contains("tracker hello updated, running"), updated.toString());
            openIn(runtime, container, path + "-after-update");

            HeadlessRuntime.Result uninstalled = runtime.command("tracker:uninstall hello");
            assertEquals("tracker hello uninstalled", uninstalled.out().strip(), uninstalled.toString());
            assertFalse(runtime.command("tracker:list").out().lines().anyMatch(l -> l.startsWith("hello ")));
            // Its programs were paused at once; their links close a couple of seconds later.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (bpfPrograms().contains("hello_openat") && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertFalse(bpfPrograms().contains("hello_openat"), "its program is detached and freed");
            runtime.assertRefused("hello:recent", "hello:recent");
            assertTrue(runtime.isAlive(), runtime.log());
        } finally {
            Docker.removeQuietly(container);
        }
    }

    /** Opens {@code path} (missing: the open is still made) with busybox cat in the container; its event. */
    private static JsonNode openIn(HeadlessRuntime runtime, String container, String path) throws Exception {
        ok("exec", container, "sh", "-c", "cat " + path + " 2>/dev/null; true");
        return runtime.awaitEvent(e -> e.path("tracker").asText().equals(TRACKER) && e.path("path").asText().equals(path)
                && e.path("container").path("name").asText().equals(container), WAIT, "the open of " + path);
    }

    /**
     * Waits until {@code hello:recent} shows an open of {@code path} in the container. The command
     * reads the tracker's own subscription, which takes events on its own thread, a moment after the
     * JSON output may have them; and it keeps the last 1000 opens of every watched container, so
     * containers of other work on this machine can push ours out: the open is made again while waiting.
     */
    private static void assertRecentShows(HeadlessRuntime runtime, String container, String path) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HeadlessRuntime.Result recent;
        do {
            recent = runtime.command("hello:recent --json --count 1000 " + container);
            assertEquals(0, recent.status(), recent.toString());
            for (JsonNode row : JSON.readTree(recent.out().strip())) {
                if (row.path("path").asText().equals(path) && row.path("container").path("name").asText().equals(container)) {
                    return;
                }
            }
            Thread.sleep(200);
            ok("exec", container, "sh", "-c", "cat " + path + " 2>/dev/null; true");
        } while (System.nanoTime() < deadline);
        throw new AssertionError("hello:recent never showed " + path + " in " + container + ": " + recent);
    }

    private static String bpfPrograms() throws IOException, InterruptedException {
        HeadlessRuntime.Result r = HeadlessRuntime.run(List.of("bpftool", "prog", "show"), null);
        assertEquals(0, r.status(), r.toString());
        return r.out();
    }

    /**
     * Runs the repository's Maven wrapper offline in {@code workDir} with this JVM as its JDK,
     * and fails with its output unless it succeeds.
     */
    private static String mvn(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("mvnw").toString(), "-B", "-o", "-ntp", "-Dstyle.color=never"));
        String localRepository = System.getProperty("apiary.maven.repo.local", "");
        if (!localRepository.isBlank()) {
            cmd.add("-Dmaven.repo.local=" + localRepository); // the repository this build installed into
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path log = Files.createTempFile(workDir.getParent(), "mvn", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd + "\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed in " + workDir + ":\n" + out);
        }
        return out;
    }
}
