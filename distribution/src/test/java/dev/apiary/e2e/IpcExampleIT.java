package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The third-party ipc example tracker (sdk/examples/ipc), which the distribution does not
 * ship: installed into a running runtime with {@code tracker:install JAR} as a user would,
 * exercised with a real container, and uninstalled again.
 */
@RequiresBpf
@RequiresDocker
class IpcExampleIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    /** Set by distribution/pom.xml from the dependency's resolved file (dependency:properties). */
    private static final Path JAR = Path.of(System.getProperty("apiary.example.ipc.jar", "")).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;

    @BeforeAll
    static void boot() throws Exception {
        assertTrue(Files.isExecutable(HOME.resolve("bin/apiary")), "assembled runtime at " + HOME);
        assertTrue(Files.isRegularFile(JAR), "the ipc example's jar (apiary.example.ipc.jar): " + JAR);
        runtime = HeadlessRuntime.start(HOME, dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void installedAtRuntimeItSeesASignalAndAPipelineInAContainerAndUninstallsCleanly() throws Exception {
        HeadlessRuntime.Result installed = runtime.command("tracker:install " + JAR);
        assertEquals(0, installed.status(), installed.toString());
        assertTrue(installed.out().contains("tracker ipc installed and started, running"), installed.toString());

        String name = Docker.uniqueName("ipc");
        try {
            // sh (the container's pid 1) forks sleep and, once it has exec'd (sleep 1: signalled at once, the
            // child is often still a copy of sh), signals it; then a pipeline: a forked sh
            // runs the builtin echo and writes, a forked cat reads. The last sleep keeps the container up.
            ok("run", "-d", "--name", name, "busybox:local", "sh", "-c", "sleep 5 & sleep 1; kill -USR1 $!; echo hi | cat; sleep 30");
            String id = ok("inspect", "--format", "{{.Id}}", name);
            int shell = Integer.parseInt(ok("inspect", "--format", "{{.State.Pid}}", name));

            JsonNode signal = awaitIpc(name, e -> ipc(e, "signal", name) && e.path("signal").asInt() == 10, WAIT,
                    "SIGUSR1 in " + name);
            assertEquals(id, signal.path("container").path("id").asText());
            assertEquals(shell, signal.path("pid").asInt(), "the shell sends it");
            assertEquals("sh", signal.path("comm").asText());
            assertEquals("sleep", signal.path("target_comm").asText());
            assertNotEquals(shell, signal.path("target_pid").asInt());
            assertEquals(shell, ppidOf(signal.path("target_pid").asInt(), name), "sleep is the shell's child");
            assertEquals("SIGUSR1", signal.path("signal_name").asText());
            assertEquals(name, signal.path("target_container").asText());
            assertEquals("kill", signal.path("origin").asText());
            assertEquals("delivered", signal.path("result").asText());

            // By comm too: runc's init, the same pid before it execs sh, makes pipes of its own (seen here).
            JsonNode pipe = awaitIpc(name, e -> ipc(e, "pipe", name) && e.path("pid").asInt() == shell
                    && e.path("comm").asText().equals("sh"), WAIT, "pipe made by sh in " + name);
            long inode = pipe.path("inode").asLong();
            assertTrue(inode > 0, pipe.toString());
            JsonNode write = awaitIpc(name, e -> ipc(e, "io", name) && e.path("inode").asLong() == inode
                    && e.path("direction").asText().equals("write"), WAIT, "first write to pipe:[" + inode + "]");
            JsonNode read = awaitIpc(name, e -> ipc(e, "io", name) && e.path("inode").asLong() == inode
                    && e.path("direction").asText().equals("read"), WAIT, "first read from pipe:[" + inode + "]");
            assertEquals("sh", write.path("comm").asText(), "the forked subshell that runs echo");
            assertEquals(shell, write.path("ppid").asInt());
            assertNotEquals(shell, write.path("pid").asInt());
            assertEquals("cat", read.path("comm").asText());
            assertEquals(shell, read.path("ppid").asInt());
            assertEquals(3, write.path("bytes").asLong(), "hi\\n");

            // The kernel's counters, through the command, by container name.
            HeadlessRuntime.Result pipes = runtime.command("ipc:pipes --json " + name);
            assertEquals(0, pipes.status(), pipes.toString());
            JsonNode channel = only(JSON.readTree(pipes.out()).path("pipes"),
                    c -> c.path("channel").asText().equals("pipe:[" + inode + "]"), "pipe:[" + inode + "]");
            JsonNode writer = only(channel.path("writers"), w -> true, "writer");
            JsonNode reader = only(channel.path("readers"), r -> true, "reader");
            assertEquals(write.path("pid").asInt(), writer.path("pid").asInt());
            assertEquals("sh", writer.path("comm").asText());
            assertEquals(3, writer.path("bytes").asLong());
            assertEquals(name, writer.path("container").path("name").asText());
            assertEquals(read.path("pid").asInt(), reader.path("pid").asInt());
            assertEquals("cat", reader.path("comm").asText());
            assertEquals(3, reader.path("bytes").asLong());

            HeadlessRuntime.Result table = runtime.command("ipc:pipes " + name);
            assertEquals(0, table.status(), table.toString());
            assertTrue(table.out().lines().anyMatch(l -> l.startsWith("pipe:[" + inode + "]")
                    && l.contains(write.path("pid").asInt() + " sh (3 B)") && l.contains(read.path("pid").asInt() + " cat (3 B)")),
                    table.toString());
            HeadlessRuntime.Result signals = runtime.command("ipc:signals " + name);
            assertEquals(0, signals.status(), signals.toString());
            assertTrue(signals.out().lines().anyMatch(l -> l.contains(shell + " sh") && l.contains(" sleep")
                    && l.contains("SIGUSR1") && l.contains("delivered")), signals.toString());

            runtime.assertRefused("ipc:signals no-such-container-" + name, "no container named no-such-container-" + name + "; running: ");
            runtime.assertRefused("ipc:events --type bogus", "unknown event type 'bogus'");
        } finally {
            Docker.removeQuietly(name);
        }

        HeadlessRuntime.Result uninstalled = runtime.command("tracker:uninstall ipc");
        assertEquals(0, uninstalled.status(), uninstalled.toString());
        assertEquals("tracker ipc uninstalled", uninstalled.out().trim());
        HeadlessRuntime.Result list = runtime.command("tracker:list");
        assertFalse(list.out().matches("(?s).*\\bipc\\b.*"), list.toString());
        assertTrue(HeadlessRuntime.lists(list, "exec", "running"), "the others run on: " + list);
        HeadlessRuntime.Result gone = runtime.command("ipc:signals");
        assertNotEquals(0, gone.status(), "its commands went with it: " + gone);
        assertTrue(runtime.isAlive());
    }

    /** Like awaitEvent, and on failure lists every ipc event of that container (the last 15 of all are mostly other noise). */
    private static JsonNode awaitIpc(String container, java.util.function.Predicate<JsonNode> match, Duration timeout, String what)
            throws Exception {
        try {
            return runtime.awaitEvent(match, timeout, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nipc events of " + container + ":\n" + String.join("\n",
                    runtime.events(n -> n.path("tracker").asText().equals("ipc") && n.path("container").path("name").asText()
                            .equals(container)).stream().map(JsonNode::toString).toList()), e);
        }
    }

    private static boolean ipc(JsonNode e, String type, String container) {
        return e.path("tracker").asText().equals("ipc") && e.path("type").asText().equals(type)
                && e.path("container").path("name").asText().equals(container);
    }

    /** The parent of a pid, from the exec tracker's exit event of that pid (sleep is gone by now). */
    private static int ppidOf(int pid, String container) throws Exception {
        JsonNode exit = runtime.awaitEvent(e -> e.path("tracker").asText().equals("exec") && e.path("type").asText().equals("exit")
                && e.path("pid").asInt() == pid && e.path("container").path("name").asText().equals(container), WAIT, "exit of " + pid);
        return exit.path("ppid").asInt();
    }

    private static JsonNode only(JsonNode array, java.util.function.Predicate<JsonNode> match, String what) {
        List<JsonNode> found = new ArrayList<>();
        array.forEach(n -> {
            if (match.test(n)) {
                found.add(n);
            }
        });
        assertEquals(1, found.size(), "one " + what + " in " + array);
        return found.getFirst();
    }
}
