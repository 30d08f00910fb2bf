package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static dev.apiary.e2e.Docker.removeQuietly;
import static dev.apiary.e2e.Docker.uniqueName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The embedding API as docs/embedding.md shows it: {@link ExecMonitor} is the example program
 * of that page, word for word (checked here), run in this JVM against the assembled runtime.
 */
@RequiresBpf
@RequiresDocker
class EmbeddingIT {

    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final Path REPO = Path.of(System.getProperty("apiary.repo", "..")).toAbsolutePath();

    @Test
    void theDocumentedExampleIsThisTestsProgram() throws Exception {
        String doc = Files.readString(REPO.resolve("docs/embedding.md"));
        String source = Files.readString(REPO.resolve("distribution/src/test/java/dev/apiary/e2e/ExecMonitor.java"));
        String body = source.substring(source.indexOf("import "));
        assertTrue(doc.contains("```java\n" + body + "```"), "docs/embedding.md shows ExecMonitor.java (from its imports on)");
    }

    @Test
    void anEmbeddedRuntimeWithTheExecTrackerAndContainersOnlyDeliversTypedExecEventsOfAContainer() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        CompletableFuture<Void> monitor = CompletableFuture.runAsync(() -> {
            try {
                ExecMonitor.run(HOME, 3, out);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!printed.toString(StandardCharsets.UTF_8).contains("ready")) {
            assertTrue(System.nanoTime() < deadline && !monitor.isDone(), "the monitor started: " + printed + state(monitor));
            Thread.sleep(100);
        }
        // The host execs too (this JVM's docker CLI): with watch("containers") none may come through.
        String name = uniqueName("embedded");
        try {
            ok("run", "--name", name, "busybox:local", "sh", "-c", "/bin/ls / >/dev/null; /bin/cat /etc/hostname >/dev/null");
            monitor.get(60, TimeUnit.SECONDS);
        } finally {
            removeQuietly(name);
        }
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().skip(1).toList();
        assertEquals(List.of(name + " sh [sh, -c, /bin/ls / >/dev/null; /bin/cat /etc/hostname >/dev/null]",
                name + " ls [/bin/ls, /]", name + " cat [/bin/cat, /etc/hostname]"), lines);
    }

    private static String state(CompletableFuture<Void> f) {
        if (!f.isDone()) {
            return "";
        }
        try {
            f.join();
            return " (it ended)";
        } catch (Exception e) {
            return " (it failed: " + e + ")";
        }
    }
}
