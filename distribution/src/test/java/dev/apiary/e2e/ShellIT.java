package dev.apiary.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive shell as a newcomer meets it: {@code bin/apiary} on a terminal (a pty made
 * by {@code script}), greeted by Apiary's banner rather than framework log lines, with
 * {@code help} listing Apiary's commands by tracker, the log in log/apiary.log, and
 * {@code exit} stopping it.
 */
@RequiresBpf
class ShellIT {

    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void theShellGreetsListsApiarysCommandsAndKeepsTheLogInAFile() throws Exception {
        Path log = HOME.resolve("log/apiary.log");
        long logBefore = Files.exists(log) ? Files.size(log) : 0;
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", HOME.resolve("bin/apiary").toString(), "/dev/null");
        pb.environment().put("APIARY_SOCKET", dir.resolve("apiary.sock").toString());
        pb.environment().put("TERM", "dumb");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream(), seen));
        OutputStream keys = p.getOutputStream();
        try {
            String greeting = await(seen, "apiary> ", 90);
            assertTrue(greeting.contains("Apiary "), greeting);
            assertTrue(greeting.matches("(?s).*\\d+ trackers running: [a-z, -]*exec.*"), "the banner names the trackers: " + greeting);
            assertTrue(greeting.contains("log: " + log), "the banner says where the log is: " + greeting);
            assertTrue(greeting.contains("type help"), greeting);
            assertFalse(greeting.contains(" INFO "), "no log lines on the console: " + greeting);
            assertFalse(greeting.contains("Welcome to Apache Felix Gogo"), greeting);

            keys.write("help\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            String help = await(seen, "xdp:stats", 30);
            for (String expected : new String[] {"apiary:status", "tracker:config", "exec:ps", "file:top", "syscall:top",
                    "ns:show", "xdp:attach", "cap:used", "report:write"}) {
                assertTrue(help.contains(expected), expected + " in help: " + help);
            }
            assertTrue(help.matches("(?s).*\\nexec\\r?\\n\\s+exec:ps\\s+\\S.*"), "grouped by tracker, with descriptions: " + help);
            assertFalse(help.contains("felix:lb") || help.contains("scr:list"), "framework commands stay out: " + help);

            keys.write("exit\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exit stops the runtime: " + seen);
        } finally {
            p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            reader.join(5000);
        }
        String logged = Files.readString(log).substring((int) logBefore);
        assertTrue(logged.contains("tracker exec running"), "the log went to " + log + ": " + logged);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0;) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (java.io.IOException e) {
            // the process ended
        }
    }

    /** Everything seen once {@code text} appeared, waiting up to {@code seconds}. */
    private static String await(ByteArrayOutputStream seen, String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String now;
            synchronized (seen) {
                now = seen.toString(StandardCharsets.UTF_8);
            }
            if (now.contains(text)) {
                return now;
            }
            Thread.sleep(100);
        }
        synchronized (seen) {
            throw new AssertionError("no '" + text + "' within " + seconds + " s; the terminal showed:\n"
                    + seen.toString(StandardCharsets.UTF_8));
        }
    }
}
