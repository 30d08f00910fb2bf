package dev.apiary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.e2e.HeadlessRuntime.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/apiary's AOT cache: the build trains one for the assembled installation (as root), bin/apiary
 * runs the JVM with it when it was made for this JDK, these options and lib/'s jars, says why it
 * does not otherwise, and {@code --aot-train} makes a current one, tracing a workload of opens,
 * tcp cycles and execs while it trains. The JVM's own log
 * ({@code -Xlog:aot}) tells whether it opened the cache.
 */
@RequiresBpf
class AotCacheIT {

    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final String OPENED = "Opened AOT cache ";
    private static final String NOT_USING = "apiary: not using the AOT cache ";

    @TempDir
    Path dir;

    @Test
    void theBuildTrainedACacheThatBinApiaryUses() throws Exception {
        Path cache = HOME.resolve("lib/apiary.aot");
        assertTrue(Files.size(cache) > 1 << 20, "the build trained " + cache);
        String id = Files.readString(HOME.resolve("lib/apiary.aot.id"));
        assertTrue(id.contains("jdk ") && id.contains("jar apiary-launcher.jar "), id);
        Result help = apiary(HOME, "--help");
        assertEquals(0, help.status(), help.toString());
        assertTrue(help.out().contains(OPENED + cache), "the JVM opened the cache: " + help);
        assertFalse(help.err().contains(NOT_USING), help.toString());
        assertTrue(help.out().contains("--headless"), "and the launcher ran: " + help);
    }

    @Test
    void aCacheMadeForAnotherJdkIsNotUsedAndTrainingMakesACurrentOne() throws Exception {
        Path home = copyOf(HOME, dir.resolve("apiary"));
        Path id = home.resolve("lib/apiary.aot.id");
        List<String> lines = Files.readAllLines(id);
        assertTrue(lines.getFirst().startsWith("jdk "), lines.toString());
        Files.write(id, Stream.concat(Stream.of("jdk /opt/another-jdk 25.0.0+1"), lines.stream().skip(1)).toList());

        Result stale = apiary(home, "--help");
        assertEquals(0, stale.status(), stale.toString());
        assertTrue(stale.err().contains(NOT_USING + home.resolve("lib/apiary.aot") + ": made for 'jdk /opt/another-jdk 25.0.0+1', this is '"
                + lines.getFirst() + "' (bin/apiary --aot-train makes a new one)"), stale.toString());
        assertFalse(stale.out().contains(OPENED), "the JVM was not given the cache: " + stale);
        assertTrue(stale.out().contains("--headless"), "and the launcher ran: " + stale);

        Result train = apiary(home, "--aot-train");
        assertEquals(0, train.status(), train.toString());
        assertTrue(train.err().contains("apiary: AOT cache written: " + home.resolve("lib/apiary.aot")), train.toString());
        // The training runtime traced its workload, every open of it through to the JSON output.
        Matcher traced = Pattern.compile("apiary: the training runtime traced the workload \\(opens=90000 tcp=6000 execs=1500\\): "
                + "(\\d+) events, (\\d+) of them its opens").matcher(train.err());
        assertTrue(traced.find(), train.toString());
        assertEquals(90_000, Integer.parseInt(traced.group(2)), train.toString());
        assertTrue(Integer.parseInt(traced.group(1)) >= 90_000 + 4 * 6_000 + 1_500, "and its tcp cycles and execs: " + train);
        assertEquals(lines, Files.readAllLines(id), "the new cache is made for this JDK and these jars");
        try (Stream<Path> left = Files.list(home.resolve("lib"))) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith(".aot-train")), "no training folder left");
        }
        Result current = apiary(home, "--help");
        assertTrue(current.out().contains(OPENED + home.resolve("lib/apiary.aot")), current.toString());
        assertFalse(current.err().contains(NOT_USING), current.toString());
    }

    @Test
    void withoutACacheBinApiaryRunsWithoutOneAndSaysNothing() throws Exception {
        Path home = copyOf(HOME, dir.resolve("apiary"));
        Files.delete(home.resolve("lib/apiary.aot"));
        Files.delete(home.resolve("lib/apiary.aot.id"));
        Result help = apiary(home, "--help");
        assertEquals(0, help.status(), help.toString());
        assertFalse(help.out().contains(OPENED), help.toString());
        assertFalse(help.err().contains("AOT cache"), help.toString());
        assertTrue(help.out().contains("--headless"), help.toString());
    }

    @Test
    void aotTrainTakesNoOtherArguments() throws Exception {
        Result r = apiary(HOME, "--aot-train", "--headless");
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("apiary: --aot-train takes no other arguments"), r.toString());
    }

    /** {@code home/bin/apiary ARGS} with the JVM's AOT log on (it goes to stdout). */
    private static Result apiary(Path home, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(home.resolve("bin/apiary").toString()), Stream.of(args)).toList());
        pb.environment().put("APIARY_JAVA_OPTS", "-Xlog:aot=info");
        Process p = pb.start();
        var err = p.getErrorStream();
        var errText = new StringBuilder();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                errText.append(new String(err.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                errText.append(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: bin/apiary " + String.join(" ", args));
        }
        drain.join();
        return new Result(p.exitValue(), out, errText.toString());
    }

    /** A copy of the installation, files' times kept: the JVM checks the jars' size and time. */
    private static Path copyOf(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }
}
