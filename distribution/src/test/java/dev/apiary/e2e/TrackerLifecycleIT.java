package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static dev.apiary.e2e.Docker.removeQuietly;
import static dev.apiary.e2e.Docker.uniqueName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trackers coming and going in a running runtime, as a user drives them with {@code bin/apiary -c}:
 * install/update/uninstall in a loop with nothing leaked and no exec lost meanwhile, syscall
 * counts kept across {@code tracker:update}, and each kind of broken tracker refused or marked
 * failed with a message that says what to fix.
 */
@RequiresBpf
@RequiresDocker
class TrackerLifecycleIT {

    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final Path IPC = Path.of(System.getProperty("apiary.example.ipc.jar", "")).toAbsolutePath();
    private static final Path FAULTY = Path.of(System.getProperty("apiary.test.faulty.jar", "")).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int CYCLES = 50;

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;

    @BeforeAll
    static void boot() throws Exception {
        assertTrue(Files.isRegularFile(IPC), "the ipc example's jar: " + IPC);
        assertTrue(Files.isRegularFile(FAULTY), "the faulty fixture's jar: " + FAULTY);
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
    void installUpdateUninstallFiftyTimesLeaksNothingAndNoExecOfAContainerIsMissedMeanwhile() throws Exception {
        String name = uniqueName("lifecycle");
        try {
            ok("run", "-d", "--name", name, "busybox:local", "sh", "-c",
                    "i=0; while true; do i=$((i+1)); /bin/echo seq-$i >/dev/null; sleep 0.005; done");
            runtime.awaitEvent(e -> isSeq(e, name), WAIT, "the loop's first exec");

            for (int i = 0; i < 10; i++) {
                cycle(); // warm-up: classes compiled, heap and malloc arenas grown to their working size
            }
            Thread.sleep(3000); // the last stop's links close 2 s after it
            Usage before = Usage.of(runtime.pid());
            long began = System.nanoTime();
            for (int i = 0; i < CYCLES; i++) {
                cycle();
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            Usage after = settle(before);
            System.out.printf("%d install/update/uninstall cycles in %d ms; before %s; after %s%n", CYCLES, tookMs, before,
                    after);
            assertEquals(before.bpf(), after.bpf(), "BPF programs, maps and links the runtime holds");
            assertEquals(before.fds(), after.fds(), "open file descriptors");
            assertEquals(before.threads(), after.threads(), "threads");
            assertEquals(before.pins(), after.pins(), "pinned maps");
            // Native: resident memory outside the Java heap, after a full GC (libbpf's objects, FFM
            // arenas, metaspace of the 100 bundle revisions). One leaked object would be MiBs each time.
            long grew = after.nativeKib() - before.nativeKib();
            assertTrue(grew < 32 * 1024, "native memory grew by " + grew + " KiB over " + CYCLES + " cycles");

            removeQuietly(name);
            Thread.sleep(500);
            TreeSet<Integer> seen = new TreeSet<>();
            for (JsonNode e : runtime.events(e -> isSeq(e, name))) {
                seen.add(Integer.parseInt(e.path("args").path(1).asText().substring(4)));
            }
            int last = seen.last();
            List<Integer> missing = new ArrayList<>();
            for (int i = 1; i <= last; i++) {
                if (!seen.contains(i)) {
                    missing.add(i);
                }
            }
            assertTrue(last > CYCLES, "the loop ran through the cycles: " + last + " execs");
            assertEquals(List.of(), missing, "execs of the loop not seen, of " + last);
            JsonNode stats = JSON.readTree(runtime.command("apiary:stats --json").out());
            System.out.println("loop execs seen: " + last + "; stats: " + stats);
        } finally {
            removeQuietly(name);
        }
    }

    @Test
    void syscallCountsSurviveTrackerUpdate() throws Exception {
        String name = uniqueName("counts");
        try {
            ok("run", "-d", "--name", name, "busybox:local", "sh", "-c",
                    "while true; do cat /etc/hostname >/dev/null; sleep 0.05; done");
            long before = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (before < 500) {
                assertTrue(System.nanoTime() < deadline, "counts of " + name + ": " + before);
                Thread.sleep(300);
                before = total(name);
            }
            HeadlessRuntime.Result update = runtime.command("tracker:update syscall");
            assertEquals(0, update.status(), update.toString());
            assertTrue(update.out().contains("syscall_counts: kept from the previous load"), update.toString());
            long after = total(name);
            assertTrue(after >= before, "counts right after the update (" + after + ") start from those before (" + before + ")");
            JsonNode info = JSON.readTree(runtime.command("tracker:info --json syscall").out());
            assertTrue(info.toString().contains("kept from the previous load"), info.toString());
        } finally {
            removeQuietly(name);
        }
    }

    @Test
    void eachBrokenTrackerIsRefusedOrMarkedFailedWithWhatToFixAndTheRuntimeGoesOn() throws Exception {
        Path plain = dir.resolve("plain.jar");
        writeJar(plain, Map.of(), Map.of("README", "not a bundle"));
        runtime.assertRefused("tracker:install " + plain, "is a jar but not an OSGi bundle: its manifest has no "
                + "Bundle-SymbolicName (build trackers with apiary-tracker-parent as the Maven parent)");

        runtime.assertRefused("tracker:install " + variant("verifier", Map.of()), "tracker faulty installed and started but "
                + "failed: cannot load BPF object 'faulty'");
        String failed = runtime.command("tracker:info faulty").out();
        assertTrue(failed.contains("invalid mem access 'map_value_or_null'"), "the verifier's own words: " + failed);
        assertTrue(HeadlessRuntime.lists(runtime.command("tracker:list"), "faulty", "failed"));
        uninstall("faulty");

        // A decoder whose Java layout differs from the object's struct: refused before anything loads.
        runtime.assertRefused("tracker:install " + variant("layout", Map.of()), "failed: struct apiary_event_header "
                + "in the BPF object does not match the Java layout");
        assertTrue(HeadlessRuntime.lists(runtime.command("tracker:list"), "faulty", "failed"));
        uninstall("faulty");

        runtime.assertRefused("tracker:install " + variant("throw", Map.of()), "failed: start() threw "
                + "java.lang.IllegalStateException: told to fail (faulty.mode = throw) "
                + "(at dev.apiary.test.faulty.FaultyTracker.start(FaultyTracker.java:");
        uninstall("faulty");

        runtime.assertRefused("tracker:install " + variant("name:exec", Map.of()), "its bundle's Apiary-Tracker header says "
                + "'faulty' but its Tracker service is named 'exec': make them the same");
        uninstall("faulty");

        runtime.assertRefused("tracker:install " + variant("name:Bad Name", Map.of("Apiary-Tracker", "Bad Name")),
                "its Apiary-Tracker header 'Bad Name' is not a tracker name: lower case letters");

        runtime.assertRefused("tracker:install " + variant("ok", Map.of("Apiary-Tracker", "exec")),
                "a tracker named exec is already installed; use tracker:update exec");

        // Past tracker:install's check, through deploy/: core refuses the second exec.
        Path dropped = HOME.resolve("deploy/" + uniqueName("collide") + ".jar");
        Files.copy(variant("name:exec", Map.of("Apiary-Tracker", "exec", "Bundle-SymbolicName", "dev.apiary.test.collide")),
                dropped);
        try {
            JsonNode collider = awaitListed(t -> t.path("bundle").asText().equals("dev.apiary.test.collide")
                    && t.path("state").asText().equals("failed"), "the dropped collider marked failed");
            assertTrue(collider.path("error").asText().startsWith("the name 'exec' is taken by bundle dev.apiary.tracker.exec"),
                    collider.toString());
        } finally {
            Files.delete(dropped);
        }
        awaitListed(t -> false, "the collider gone", list -> list.findValuesAsText("bundle").stream()
                .noneMatch(b -> b.equals("dev.apiary.test.collide")));

        HeadlessRuntime.Result ok = runtime.command("tracker:install " + variant("ok", Map.of()));
        assertEquals(0, ok.status(), ok.toString());
        assertTrue(ok.out().contains("tracker faulty installed and started, running"), ok.toString());
        uninstall("faulty");
        assertTrue(runtime.isAlive(), runtime.log());
        assertTrue(runtime.trackerRunning("exec"));
    }

    // --- helpers

    private static void cycle() throws Exception {
        // One client for the three: a command that fails (a tracker not running) ends the sequence with status 1,
        // and only the last command's result is printed.
        HeadlessRuntime.Result r = runtime.command("tracker:install " + IPC + "; tracker:update ipc; tracker:uninstall ipc");
        assertEquals(0, r.status(), r.toString());
        assertEquals("tracker ipc uninstalled", r.out().strip(), r.toString());
    }

    private static boolean isSeq(JsonNode e, String container) {
        return e.path("tracker").asText().equals("exec") && e.path("type").asText().equals("exec")
                && e.path("container").path("name").asText().equals(container)
                && e.path("args").path(0).asText().equals("/bin/echo") && e.path("args").path(1).asText().startsWith("seq-");
    }

    private static long total(String container) throws Exception {
        HeadlessRuntime.Result r = runtime.command("syscall:counts " + container + " --json");
        return r.status() == 0 ? JSON.readTree(r.out()).path("total").asLong() : 0;
    }

    private static void uninstall(String name) throws Exception {
        HeadlessRuntime.Result r = runtime.command("tracker:uninstall '" + name + "'");
        assertEquals(0, r.status(), r.toString());
    }

    private static JsonNode awaitListed(java.util.function.Predicate<JsonNode> match, String what) throws Exception {
        return awaitListed(match, what, list -> false);
    }

    private static JsonNode awaitListed(java.util.function.Predicate<JsonNode> match, String what,
            java.util.function.Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode list = JSON.readTree(runtime.command("tracker:list --json").out());
            for (JsonNode t : list) {
                if (match.test(t)) {
                    return t;
                }
            }
            if (done.test(list)) {
                return list;
            }
            assertTrue(System.nanoTime() < deadline, what + ": " + list);
            Thread.sleep(300);
        }
    }

    /** The faulty fixture with its faulty.mode and manifest headers replaced. */
    private static Path variant(String mode, Map<String, String> headers) throws IOException {
        Path out = dir.resolve("faulty-" + Math.abs((mode + headers).hashCode()) + ".jar");
        Map<String, byte[]> entries = new TreeMap<>();
        Manifest mf;
        try (InputStream in = Files.newInputStream(FAULTY); JarInputStream jar = new JarInputStream(in)) {
            mf = jar.getManifest();
            for (JarEntry e; (e = jar.getNextJarEntry()) != null; ) {
                if (!e.isDirectory()) {
                    entries.put(e.getName(), jar.readAllBytes());
                }
            }
        }
        headers.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
        entries.put("faulty.mode", mode.getBytes(StandardCharsets.UTF_8));
        try (OutputStream o = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(o, mf)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        }
        return out;
    }

    private static void writeJar(Path path, Map<String, String> headers, Map<String, String> files) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
        try (OutputStream o = Files.newOutputStream(path); JarOutputStream jar = new JarOutputStream(o, mf)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                jar.putNextEntry(new JarEntry(f.getKey()));
                jar.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
    }

    /**
     * Waits up to 10 s for what the runtime holds to come back to {@code before}: threads end,
     * and a stopped tracker's links close {@code CLOSE_DELAY} (2 s) after it stops.
     */
    private static Usage settle(Usage before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Usage now = Usage.of(runtime.pid());
        while (!now.sameHoldings(before) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            now = Usage.of(runtime.pid());
        }
        return now;
    }

    /** What the runtime process holds, from /proc and bpffs. */
    record Usage(int fds, int threads, Map<String, Integer> bpf, List<String> pins, long rssKib, long nativeKib) {

        static Usage of(long pid) throws IOException, InterruptedException {
            jcmd(pid, "GC.run");
            Path proc = Path.of("/proc", Long.toString(pid));
            int fds = 0;
            Map<String, Integer> bpf = new TreeMap<>(Map.of("prog", 0, "map", 0, "link", 0));
            try (Stream<Path> all = Files.list(proc.resolve("fd"))) {
                for (Path fd : all.toList()) {
                    fds++;
                    try {
                        for (String line : Files.readAllLines(proc.resolve("fdinfo").resolve(fd.getFileName()))) {
                            for (String kind : List.of("prog", "map", "link")) {
                                if (line.startsWith(kind + "_id:")) {
                                    bpf.merge(kind, 1, Integer::sum);
                                }
                            }
                        }
                    } catch (IOException closedMeanwhile) {
                        // an fd closed between the listing and the read
                    }
                }
            }
            int threads;
            try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
                threads = (int) tasks.count();
            }
            List<String> pins = new ArrayList<>();
            Path pinRoot = Path.of("/sys/fs/bpf/apiary", Long.toString(pid));
            if (Files.isDirectory(pinRoot)) {
                try (Stream<Path> walk = Files.walk(pinRoot)) {
                    walk.filter(p -> !p.equals(pinRoot)).map(p -> pinRoot.relativize(p).toString()).sorted().forEach(pins::add);
                }
            }
            long rss = Files.readAllLines(proc.resolve("status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0);
            return new Usage(fds, threads, bpf, pins, rss, rss - heapResidentKib(pid));
        }

        private static String jcmd(long pid, String command) throws IOException, InterruptedException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            HeadlessRuntime.Result r = HeadlessRuntime.run(List.of(jcmd.toString(), Long.toString(pid), command), null);
            assertEquals(0, r.status(), r.toString());
            return r.out();
        }

        /**
         * Resident KiB of the Java heap's address range, from GC.heap_info and smaps: from the
         * lowest to the highest address of its spaces, as G1 ({@code [lo, hi)}) and Serial
         * ({@code [lo, top, hi)} per generation, bin/apiary's collector) print them.
         */
        private static long heapResidentKib(long pid) throws IOException, InterruptedException {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[(0x[0-9a-f]+), (?:0x[0-9a-f]+, )?(0x[0-9a-f]+)\\)")
                    .matcher(jcmd(pid, "GC.heap_info"));
            long lo = Long.MAX_VALUE, hi = 0;
            while (m.find()) {
                lo = Math.min(lo, Long.parseUnsignedLong(m.group(1).substring(2), 16));
                hi = Math.max(hi, Long.parseUnsignedLong(m.group(2).substring(2), 16));
            }
            assertTrue(hi > lo, "the heap's address range in GC.heap_info");
            long kib = 0;
            boolean inHeap = false;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
                if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                    String[] range = line.substring(0, line.indexOf(' ')).split("-");
                    long start = Long.parseUnsignedLong(range[0], 16);
                    long end = Long.parseUnsignedLong(range[1], 16);
                    inHeap = start >= lo && end <= hi;
                } else if (inHeap && line.startsWith("Rss:")) {
                    kib += Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return kib;
        }

        boolean sameHoldings(Usage other) {
            return fds == other.fds && threads == other.threads && bpf.equals(other.bpf) && pins.equals(other.pins);
        }
    }
}
