package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The syscall tracker in the assembled runtime: counts of a real container through
 * {@code syscall:counts --json}, {@code syscall:top --quiet-terminal} over a real
 * {@code docker exec -it} session, and clear errors.
 */
@RequiresBpf
@RequiresDocker
class SyscallTrackerIT {

    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int N = 100;

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;

    @BeforeAll
    static void boot() throws Exception {
        assertTrue(Files.isExecutable(HOME.resolve("bin/apiary")), "assembled runtime at " + HOME);
        runtime = HeadlessRuntime.start(HOME, dir);
        runtime.awaitTracker("syscall");
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void aContainersOpensAndReadsAreCountedUnderItsName() throws Exception {
        String name = Docker.uniqueName("syscalls");
        String other = Docker.uniqueName("idle");
        try {
            ok("run", "-d", "--name", other, "busybox:local", "sleep", "60");
            ok("run", "-d", "--name", name, "busybox:local", "sh", "-c", "sleep 1; i=0; while [ $i -lt " + N
                    + " ]; do busybox dd if=/etc/hostname of=/dev/null 2>/dev/null; i=$((i+1)); done; sleep 60");
            JsonNode counts = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                HeadlessRuntime.Result r = runtime.command("syscall:counts " + name + " --json");
                assertEquals(0, r.status(), r.toString());
                counts = JSON.readTree(r.out());
                if (count(counts, "openat") >= N && count(counts, "read") >= N && count(counts, "execve") >= N) {
                    break;
                }
                Thread.sleep(500);
            }
            assertEquals(name, counts.path("container").path("name").asText());
            assertTrue(count(counts, "openat") >= N, counts.toString());
            assertTrue(count(counts, "read") >= N, counts.toString());
            assertTrue(count(counts, "execve") >= N, counts.toString());
            JsonNode idle = JSON.readTree(runtime.command("syscall:counts " + other + " --json").out());
            assertTrue(count(idle, "execve") < N / 2, "the other container does not get them: " + idle);
            String table = runtime.command("syscall:counts " + name).out();
            assertTrue(table.startsWith(name + ": "), table);
        } finally {
            Docker.removeQuietly(name);
            Docker.removeQuietly(other);
        }
    }

    /**
     * A person types a command into {@code docker exec -it NAME sh} (through script(1), which
     * gives docker a terminal): with --quiet-terminal, top shows what the command did and none
     * of the terminal's reads, writes, ioctls and signal handling.
     */
    @Test
    void quietTerminalShowsTheTypedCommandAndHidesTheTerminal() throws Exception {
        String name = Docker.uniqueName("tty");
        try {
            ok("run", "-d", "--name", name, "busybox:local", "sleep", "60");
            Process session = new ProcessBuilder("script", "-qfc", "docker exec -it " + name + " sh", "/dev/null")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("session.out").toFile()).start();
            CompletableFuture<HeadlessRuntime.Result> top = CompletableFuture.supplyAsync(() -> {
                try {
                    return runtime.command("syscall:top " + name + " --quiet-terminal --interval 1 --count 6 --rows 40");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            OutputStream keys = session.getOutputStream();
            Thread.sleep(2500);
            for (char c : "busybox mkdir /typed-dir\n".toCharArray()) {
                keys.write(c); // one key at a time, as a person types
                keys.flush();
                Thread.sleep(20);
            }
            Thread.sleep(1500);
            keys.write("exit\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            assertTrue(session.waitFor(15, TimeUnit.SECONDS), "the session ended");
            HeadlessRuntime.Result r = top.get(30, TimeUnit.SECONDS);
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.out().contains("hiding terminal syscalls: read write"), r.out());
            assertTrue(r.out().matches("(?s).*\\* mkdir\\s.*"), "the typed command's mkdir, marked: " + r.out());
            for (String line : r.out().split("\n")) {
                String word = line.length() > 4 ? line.substring(4).trim().split("\\s+")[0] : "";
                assertFalse(List.of("read", "write", "ioctl", "rt_sigaction", "rt_sigprocmask", "poll").contains(word),
                        "terminal syscall shown: " + line + "\n" + r.out());
            }
            HeadlessRuntime.Result all = runtime.command("syscall:counts " + name + " --json");
            JsonNode counts = JSON.readTree(all.out());
            assertTrue(count(counts, "read") > 0 && count(counts, "ioctl") > 0, "they happened: " + counts);
        } finally {
            Docker.removeQuietly(name);
        }
    }

    @Test
    void wrongArgumentsGetOneClearLineAndTheRuntimeStaysUp() throws Exception {
        List<List<String>> wrong = List.of(
                List.of("syscall:counts nosuchcontainer", "no container named nosuchcontainer; running: "),
                List.of("syscall:top nosuchcontainer --count 1", "no container named nosuchcontainer; running: "),
                List.of("syscall:top --interval x --count 1", "--interval: 'x' is not a duration; give e.g. 500ms, 2s or 1m"),
                List.of("syscall:top --interval 50ms --count 1", "--interval: '50ms' is out of range; give 100ms to 1h"),
                List.of("syscall:trace nosuchcontainer --count 1", "no container named nosuchcontainer; running: "));
        for (List<String> c : wrong) {
            runtime.assertRefused(c.get(0), c.get(1));
        }
    }

    private static long count(JsonNode counts, String syscall) {
        for (JsonNode s : counts.path("syscalls")) {
            if (s.path("name").asText().equals(syscall)) {
                return s.path("count").asLong();
            }
        }
        return 0;
    }
}
