package dev.apiary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM {@code bin/apiary} runs a daemon in is the one docs/runtime.md ("Memory", "Start-up")
 * describes, as the JVM itself reports it ({@code jcmd PID VM.flags}): the Serial collector, the
 * heap bounds and ratios, a heap that shrinks at once after core's give-back, glibc's heap trimmed
 * every 2 s, and the AOT cache the build trained.
 */
@RequiresBpf
class RuntimeJvmIT {

    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void theDaemonsJvmHasTheFlagsTheDocsDescribe() throws Exception {
        try (HeadlessRuntime runtime = HeadlessRuntime.start(HOME, dir)) {
            String flags = jcmd(runtime.pid(), "VM.flags");
            for (String flag : List.of("-XX:+UseSerialGC", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
                    "-XX:-ShrinkHeapInSteps", "-XX:+UseCompactObjectHeaders", "-XX:TrimNativeHeapInterval=2000",
                    "-XX:AOTCache=" + HOME.resolve("lib/apiary.aot"))) {
                assertTrue(flags.contains(flag), flag + " in " + flags);
            }
            assertTrue(flags.contains("-XX:MaxHeapSize=268435456"), "-Xmx256m: " + flags);
        }
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "jcmd " + command);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
