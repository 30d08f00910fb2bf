package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled runtime, real BPF, a real Docker daemon: what a user sees after starting
 * {@code bin/apiary --headless} and running containers beside it.
 */
@RequiresBpf
@RequiresDocker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RuntimeIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final Path REPO = Path.of(System.getProperty("apiary.repo", "..")).toAbsolutePath().normalize();

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;

    @BeforeAll
    static void boot() throws Exception {
        assertTrue(Files.isExecutable(HOME.resolve("bin/apiary")), "assembled runtime at " + HOME);
        runtime = HeadlessRuntime.start(HOME, dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    @Order(1)
    void theExecsOfAContainerArriveWithItsNameIdAndImage() throws Exception {
        String name = Docker.uniqueName("ls");
        try {
            // Full paths: busybox's sh runs "ls" and "cat" as built-in applets without an exec.
            ok("run", "--name", name, "busybox:local", "sh", "-c", "/bin/ls /; /bin/cat /etc/hostname");
            String id = ok("inspect", "--format", "{{.Id}}", name);
            for (String applet : List.of("sh", "ls", "cat")) {
                // busybox applets exec themselves through their symlink: /bin/sh, /bin/ls, /bin/cat
                JsonNode e = runtime.awaitEvent(ev -> ev.path("tracker").asText().equals("exec")
                        && ev.path("type").asText().equals("exec")
                        && ev.path("container").path("name").asText().equals(name)
                        && ev.path("args").path(0).asText().endsWith(applet), WAIT, applet + " in " + name);
                assertEquals(id, e.path("container").path("id").asText());
                assertEquals("busybox:local", e.path("container").path("image").asText());
                assertEquals("docker", e.path("container").path("runtime").asText());
                assertEquals(0, e.path("ret").asInt());
            }
            JsonNode cat = runtime.awaitEvent(ev -> ev.path("container").path("name").asText().equals(name)
                    && ev.path("args").path(0).asText().equals("/bin/cat"), WAIT, "cat");
            assertEquals("/etc/hostname", cat.path("args").path(1).asText());
        } finally {
            Docker.removeQuietly(name);
        }
    }

    @Test
    @Order(2)
    void aContainerLivingUnder100msIsStillNamed() throws Exception {
        String name = Docker.uniqueName("brief");
        String marker = "brief-" + UUID.randomUUID();
        try {
            ok("run", "--name", name, "busybox:local", "echo", marker);
            String started = ok("inspect", "--format", "{{.State.StartedAt}}", name);
            String finished = ok("inspect", "--format", "{{.State.FinishedAt}}", name);
            long lifeMs = Duration.between(java.time.Instant.parse(started), java.time.Instant.parse(finished)).toMillis();
            assertTrue(lifeMs < 100, "the container lived " + lifeMs + " ms");
            JsonNode e = runtime.awaitEvent(ev -> ev.path("tracker").asText().equals("exec")
                    && ev.path("args").path(1).asText().equals(marker), WAIT, "echo " + marker);
            assertEquals(name, e.path("container").path("name").asText(), e.toString());
            assertEquals("busybox:local", e.path("container").path("image").asText());
        } finally {
            Docker.removeQuietly(name);
        }
    }

    @Test
    @Order(3)
    void aHostProcessIsAttributedToHost() throws Exception {
        String marker = "host-" + UUID.randomUUID();
        HeadlessRuntime.run(List.of("/bin/echo", marker), null);
        JsonNode e = runtime.awaitEvent(ev -> ev.path("tracker").asText().equals("exec")
                && ev.path("args").path(1).asText().equals(marker), WAIT, "echo " + marker + " on the host");
        assertEquals("host", e.path("container").path("id").asText());
        assertEquals("host", e.path("container").path("name").asText());
        assertEquals("/usr/bin/echo", e.path("path").asText());
    }

    @Test
    @Order(4)
    void psAndContainersShowARunningContainer() throws Exception {
        String name = Docker.uniqueName("ps");
        try {
            ok("run", "-d", "--name", name, "busybox:local", "sh", "-c", "sleep 300 & sleep 301");
            String pid = ok("inspect", "--format", "{{.State.Pid}}", name);
            awaitOutput("apiary:containers", name);
            HeadlessRuntime.Result containers = runtime.command("apiary:containers");
            assertTrue(containers.out().lines().anyMatch(l -> l.startsWith(name) && l.contains("busybox:local")
                    && l.contains(" " + pid + " ")), containers.toString());
            HeadlessRuntime.Result ps = awaitOutput("exec:ps " + name, "sleep 301");
            assertTrue(ps.out().contains("sleep 300"), ps.toString());
        } finally {
            Docker.removeQuietly(name);
        }
    }

    @Test
    @Order(5)
    void commandsGoToTheRunningRuntimeInsteadOfStartingAnother() throws Exception {
        String name = Docker.uniqueName("before");
        try {
            ok("run", "-d", "--name", name, "busybox:local", "sleep", "300");
            HeadlessRuntime.Result r = awaitOutput("apiary:containers", name);
            assertEquals(0, r.status(), r.toString());
            HeadlessRuntime.Result status = runtime.command("apiary:status --json");
            assertEquals(0, status.status(), status.toString());
            assertTrue(status.out().contains("\"pid\" : " + runtime.pid()), "answered by the headless runtime (pid "
                    + runtime.pid() + "): " + status);
        } finally {
            Docker.removeQuietly(name);
        }
    }

    @Test
    @Order(6)
    void everyWrongArgumentGetsAClearErrorAndTheRuntimeStaysUp() throws Exception {
        List<List<String>> wrong = List.of(
                List.of("tracker:stop nosuchtracker", "no tracker named 'nosuchtracker'"),
                List.of("tracker:start nosuchtracker", "no tracker named 'nosuchtracker'"),
                List.of("tracker:uninstall nosuchtracker", "no tracker named 'nosuchtracker'"),
                List.of("tracker:update nosuchtracker", "no tracker named 'nosuchtracker'"),
                List.of("tracker:install /no/such/file.jar", "no such file: /no/such/file.jar"),
                List.of("tracker:install " + HOME.resolve("bin/apiary"), "is not a jar (it is not a zip file)"),
                List.of("apiary:events --tracker nosuchtracker", "no tracker named 'nosuchtracker'"),
                List.of("apiary:events --type nosuchtype", "no event type 'nosuchtype'"),
                List.of("apiary:events nosuchcontainer", "no container named nosuchcontainer; running: "),
                List.of("apiary:events --count -1", "--count: '-1' is not a count; give a whole number, 0 for no limit"),
                List.of("apiary:events --count lots", "--count: 'lots' is not a count"),
                List.of("tracker:config exec ring.kb=1", "ring.kb=1 is not allowed: int from"),
                List.of("tracker:config exec nosuchkey=1", "no setting nosuchkey"),
                List.of("exec:ps nosuchcontainer", "no container named nosuchcontainer; running: "),
                List.of("apiary:nosuchcommand", "nosuchcommand"));
        for (List<String> c : wrong) {
            runtime.assertRefused(c.get(0), c.get(1));
        }
        HeadlessRuntime.Result list = runtime.command("tracker:list");
        assertTrue(HeadlessRuntime.lists(list, "exec", "running"), "exec still runs: " + list);
    }

    @Test
    @Order(7)
    void theRuntimeOutlivesTheDockerDaemonAndNamesContainersAgainWhenItIsBack() throws Exception {
        Docker.stopDaemon();
        try {
            String marker = "nodaemon-" + UUID.randomUUID();
            HeadlessRuntime.run(List.of("/bin/echo", marker), null);
            runtime.awaitEvent(ev -> ev.path("args").path(1).asText().equals(marker), WAIT,
                    "a host exec while the daemon is down");
            HeadlessRuntime.Result status = runtime.command("apiary:status");
            assertEquals(0, status.status(), status.toString());
        } finally {
            Docker.startDaemon(REPO);
        }
        awaitOutput("apiary:status", "connected to");
        String name = Docker.uniqueName("after");
        String marker = "after-" + UUID.randomUUID();
        try {
            ok("run", "--name", name, "busybox:local", "echo", marker);
            JsonNode e = runtime.awaitEvent(ev -> ev.path("args").path(1).asText().equals(marker), WAIT,
                    "echo in a container started after the daemon came back");
            assertEquals(name, e.path("container").path("name").asText(), e.toString());
        } finally {
            Docker.removeQuietly(name);
        }
    }

    private static HeadlessRuntime.Result awaitOutput(String command, String expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HeadlessRuntime.Result r;
        do {
            r = runtime.command(command);
            if (r.status() == 0 && r.out().contains(expected)) {
                return r;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(command + " never showed '" + expected + "': " + r + "\nruntime log:\n" + runtime.log());
    }
}
