package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import dev.apiary.sdk.testing.ControlCharacters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container that puts terminal control sequences into everything it chooses (its process
 * names, arguments, file paths, a label) must not be able to write one raw control byte to
 * an operator's terminal through any of Apiary's text commands. JSON output carries the same
 * strings, escaped as JSON escapes them.
 */
@RequiresBpf
@RequiresDocker
class ControlCharactersIT {

    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final String NAME = Docker.uniqueName("hostile");

    /**
     * ESC ] 0 ; ... BEL retitles the window; ESC [ 2 J clears the screen; CR and BS overwrite.
     * The shell renames itself (its comm) and then opens the file itself ({@code : < "$F"}),
     * so file events carry the hostile comm; cat's exec carries hostile arguments.
     */
    private static final String SCRIPT = """
            E=$(printf '\\033'); B=$(printf '\\007'); R=$(printf '\\r'); S=$(printf '\\010')
            F="/tmp/${E}]0;pwned${B}${E}[2Jcleared${R}overwritten${S}x"
            touch "$F"
            printf '%s' "${E}[31mred${B}${R}" > /proc/$$/comm
            while true; do cat "$F" "${E}[1Amissing${R}" 2>/dev/null; : < "$F"; sleep 0.3; done
            """;

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;

    @BeforeAll
    static void boot() throws Exception {
        assertTrue(Files.isExecutable(HOME.resolve("bin/apiary")), "assembled runtime at " + HOME);
        runtime = HeadlessRuntime.start(HOME, dir);
        for (String tracker : List.of("exec", "file", "syscall", "tcp", "namespace")) {
            runtime.awaitTracker(tracker);
        }
        ok("run", "-d", "--name", NAME, "--tmpfs", "/tmp", "--label", "note=\u001b[5mblink\u0007\u009b",
                "busybox:local", "sh", "-c", SCRIPT);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!runtime.command("apiary:events --count 4 --tracker file " + NAME).out().contains("\\x1b[31mred")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the hostile comm never showed in file events: "
                        + runtime.command("apiary:events --count 4 " + NAME));
            }
            Thread.sleep(300);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Docker.removeQuietly(NAME);
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void noTextCommandPassesARawControlByteThrough() throws Exception {
        List<String> commands = List.of(
                "exec:ps " + NAME,
                "exec:ps",
                "apiary:events --count 30 " + NAME,
                "apiary:events --count 10 --tracker file " + NAME,
                "apiary:containers",
                "apiary:containers --all",
                "apiary:status",
                "file:top --count 1 " + NAME,
                "file:events --count 5 " + NAME,
                "syscall:counts " + NAME,
                "syscall:top --count 2 --interval 500ms " + NAME,
                "tcp:connections " + NAME,
                "ns:show " + NAME,
                "tracker:list",
                "tracker:info exec",
                "report:show " + NAME,
                "report:list",
                "help");
        List<String> failures = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (String c : commands) {
            HeadlessRuntime.Result r = runtime.command(c);
            all.append(r.out()).append(r.err());
            try {
                ControlCharacters.assertNone(r.out());
                ControlCharacters.assertNone(r.err());
            } catch (AssertionError e) {
                failures.add(c + ": " + e.getMessage());
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        // The hostile strings did reach the output, made visible.
        String shown = all.toString();
        for (String visible : List.of("\\x1b[31mred\\x07\\r", "\\x1b]0;pwned\\x07\\x1b[2Jcleared\\roverwritten\\x08x",
                "\\x1b[1Amissing\\r")) {
            assertTrue(shown.contains(visible), "'" + visible + "' shown somewhere:\n" + shown);
        }
    }

    @Test
    void jsonCarriesTheSameStringsEscaped() throws Exception {
        for (String c : List.of("apiary:events --json --count 20 " + NAME, "exec:ps --json " + NAME,
                "file:events --json --count 3 " + NAME, "apiary:containers --json", "report:show --json " + NAME,
                "report:list --json")) {
            HeadlessRuntime.Result r = runtime.command(c);
            ControlCharacters.assertNone(r.out());
            assertTrue(r.out().toLowerCase(java.util.Locale.ROOT).contains("\\u001b"), c + " carries ESC as \\u001b: " + r);
        }
    }
}
