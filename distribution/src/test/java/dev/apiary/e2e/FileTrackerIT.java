package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file tracker in the assembled runtime: {@code bin/apiary --headless --output FILE} beside
 * one busybox container (tmpfs on /tmp), its events in the JSON lines, {@code file:top} and
 * {@code file:events} through {@code bin/apiary -c}.
 */
@RequiresBpf
@RequiresDocker
class FileTrackerIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;
    private static final String NAME = Docker.uniqueName("file");

    @BeforeAll
    static void boot() throws Exception {
        assertTrue(Files.isExecutable(HOME.resolve("bin/apiary")), "assembled runtime at " + HOME);
        runtime = HeadlessRuntime.start(HOME, dir);
        awaitOutput("tracker:list", "file", "running");
        ok("run", "-d", "--name", NAME, "--tmpfs", "/tmp", "busybox:local", "sleep", "300");
        awaitOutput("apiary:containers", NAME, NAME);
    }

    @AfterAll
    static void stop() throws Exception {
        Docker.removeQuietly(NAME);
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void echoCatRmAndAFailedOpenArriveAsEventsWithTheContainersName() throws Exception {
        ok("exec", NAME, "sh", "-c", "echo x > /tmp/f; cat /tmp/f; rm /tmp/f; cat /nonexistent-file-it || true");

        JsonNode create = await(e -> e.path("type").asText().equals("open") && e.path("path").asText().equals("/tmp/f")
                && e.path("created").asBoolean(), "the create of /tmp/f");
        assertTrue(kinds(create).containsAll(List.of("write", "create")), create.toString());
        assertTrue(create.path("flags").asText().startsWith("O_WRONLY|O_CREAT"), create.toString());
        assertEquals("busybox:local", create.path("container").path("image").asText());
        JsonNode open = await(e -> e.path("type").asText().equals("open") && e.path("path").asText().equals("/tmp/f")
                && kinds(e).equals(List.of("read")), "cat's open of /tmp/f");
        assertTrue(open.path("ret").asInt() >= 0, open.toString());
        JsonNode unlink = await(e -> e.path("type").asText().equals("unlink") && e.path("path").asText().equals("/tmp/f"),
                "the unlink of /tmp/f");
        assertEquals(0, unlink.path("ret").asInt());
        assertEquals("", unlink.path("error").asText());
        JsonNode failed = await(e -> e.path("type").asText().equals("open")
                && e.path("path").asText().equals("/nonexistent-file-it"), "the failed open");
        assertEquals(-2, failed.path("ret").asInt());
        assertEquals("ENOENT", failed.path("error").asText());
        assertEquals("file", failed.path("tracker").asText());

        // The bytes echo wrote and cat read (through sendfile) are in the kernel's aggregate.
        JsonNode f = topFile("/tmp/f", u -> u.path("read_bytes").asLong() >= 2 && u.path("write_bytes").asLong() >= 2);
        assertEquals(2, f.path("write_bytes").asLong());
        assertEquals(NAME, f.path("container").path("name").asText());
    }

    @Test
    void fileTopShowsTheBytesDdWrote() throws Exception {
        long bytes = 4096L * 256;
        ok("exec", NAME, "busybox", "dd", "if=/dev/zero", "of=/tmp/dd.out", "bs=4096", "count=256");
        JsonNode f = topFile("/tmp/dd.out", u -> u.path("write_bytes").asLong() >= bytes);
        assertTrue(f.path("write_bytes").asLong() >= bytes, f.toString());

        HeadlessRuntime.Result table = runtime.command("file:top --count 1 --path /tmp/dd " + NAME);
        assertEquals(0, table.status(), table.toString());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith(NAME.substring(0, 15)) && l.contains("1.0 MiB")
                && l.endsWith("/tmp/dd.out")), table.toString());
    }

    @Test
    void fileEventsStreamsWhatMatchesItsFiltersThroughTheControlSocket() throws Exception {
        CompletableFuture<HeadlessRuntime.Result> tail = CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.command("file:events --json --count 1 --kind delete --path /tmp/gone " + NAME);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1500); // the command subscribes once its client has connected
        ok("exec", NAME, "sh", "-c", "echo a > /tmp/kept; echo b > /tmp/gone; rm /tmp/gone");
        HeadlessRuntime.Result r = tail.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, r.status(), r.toString());
        JsonNode e = JSON.readTree(r.out().strip());
        assertEquals("unlink", e.path("type").asText());
        assertEquals("/tmp/gone", e.path("path").asText());
        assertEquals(NAME, e.path("container").path("name").asText());
    }

    @Test
    void everyWrongArgumentGetsOneClearLine() throws Exception {
        List<List<String>> wrong = List.of(
                List.of("file:top --count 1 nosuchcontainer", "no container named nosuchcontainer; running: "),
                List.of("file:events --count 1 --kind exec", "unknown kind 'exec'"),
                List.of("file:top --interval abc --count 1", "--interval: 'abc' is not a duration; give e.g. 500ms, 2s or 1m"),
                List.of("file:top --count -2", "--count: '-2' is not a count; give a whole number, 0 for no limit"),
                List.of("file:top --kind create --count 1", "file:top --kind takes read or write"));
        for (List<String> c : wrong) {
            runtime.assertRefused(c.get(0), c.get(1));
        }
    }

    /** The file's entry in {@code file:top --json --count 1}, polled until {@code done} holds. */
    private static JsonNode topFile(String path, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HeadlessRuntime.Result r;
        do {
            r = runtime.command("file:top --json --count 1 --path " + path + " " + NAME);
            assertEquals(0, r.status(), r.toString());
            for (JsonNode u : JSON.readTree(r.out().strip()).path("files")) {
                if (u.path("path").asText().equals(path) && done.test(u)) {
                    return u;
                }
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("file:top never showed " + path + " as expected: " + r);
    }

    private static JsonNode await(Predicate<JsonNode> match, String what) throws Exception {
        return runtime.awaitEvent(e -> e.path("tracker").asText().equals("file")
                && e.path("container").path("name").asText().equals(NAME) && match.test(e), WAIT, what);
    }

    private static List<String> kinds(JsonNode e) {
        return e.path("kinds").valueStream().map(JsonNode::asText).toList();
    }

    private static void awaitOutput(String command, String expected, String alsoExpected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HeadlessRuntime.Result r;
        do {
            r = runtime.command(command);
            if (r.status() == 0 && r.out().lines().anyMatch(l -> l.contains(expected) && l.contains(alsoExpected))) {
                return;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(command + " never showed '" + expected + "': " + r + "\nruntime log:\n" + runtime.log());
    }
}
