package dev.apiary.tracker.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfLink;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.EventDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * syscall.bpf.o loaded for real (no OSGi), watching everything, counting the syscalls of
 * real busybox containers; names from the real libseccomp.
 */
@RequiresBpf
class SyscallBpfTest {

    private static final Path OBJECT = Path.of("target/classes/bpf/syscall.bpf.o");
    private static final String PREFIX = "apiary-syscall-test-" + UUID.randomUUID().toString().substring(0, 8);
    private static final int N = 200;

    private static BpfObject obj;
    private static KernelCounts counts;
    private static SyscallNames names;
    private static final Map<Long, long[]> totals = new HashMap<>();
    private static final List<String> containers = new ArrayList<>();

    @BeforeAll
    static void load() {
        names = SyscallNames.load(KernelCounts.NR_MAX);
        obj = BpfObject.open(readObject(), "syscall", pinRoot());
        EventDecoder.checkLayouts(new SyscallDecoder(names), obj);
        obj.program("syscall_enter").setAutoattach(false);
        obj.program("syscall_exit").setAutoattach(false);
        obj.load();
        // Outside Apiary nobody fills the watch map: watch everything, the host included.
        obj.map("apiary_watched").update(Bytes.u32(0), new byte[] {1});
        counts = new KernelCounts(obj.map("cgroup_slots"), obj.map("syscall_counts"), obj.map("free_slots"),
                obj.map("syscall_misses"), obj.map("apiary_watched"), Duration.ofSeconds(60).toNanos());
        counts.fillFreeSlots(false);
        obj.program("syscall_enter").attach();
    }

    @AfterAll
    static void close() throws Exception {
        for (String c : containers) {
            docker("rm", "-f", c);
        }
        if (obj != null) {
            obj.close();
        }
        removePins(PIN_ROOT);
    }

    /** The maps the tracker pins go to a folder of this test's own, removed after it. */
    static final Path PIN_ROOT = Path.of("/sys/fs/bpf/" + PREFIX);

    static Path pinRoot() {
        try {
            return Files.createDirectories(PIN_ROOT);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] readObject() {
        try {
            return Files.readAllBytes(OBJECT);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void removePins(Path root) throws java.io.IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (var pins = Files.list(root)) {
            for (Path p : pins.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(root);
    }

    @Test
    void namesComeFromLibseccompForThisArchitecture() {
        assertTrue(names.problem().isEmpty(), names.problem().orElse(""));
        assertEquals("read", names.name(0)); // x86-64 numbering
        assertEquals("openat", names.name(257));
        assertEquals("getppid", names.name(110));
        assertEquals(257, names.number("openat").getAsInt());
        assertEquals("syscall_511", names.name(511));
    }

    @Test
    void aContainerGetsItsOwnOpensAndReadsUnderTheirNamesAndAnotherDoesNot() throws Exception {
        String idle = PREFIX + "-idle", busy = PREFIX + "-busy";
        containers.add(idle);
        containers.add(busy);
        String idleId = docker("run", "-d", "--name", idle, "busybox:local", "sleep", "30").strip();
        // Waits for /go so that its cgroup id is read while it exists, then reads a file with dd N times (cat would sendfile) and exits.
        String script = "while [ ! -e /go ]; do usleep 10000; done; i=0; while [ $i -lt " + N
                + " ]; do busybox dd if=/etc/hostname of=/dev/null 2>/dev/null; i=$((i+1)); done";
        String busyId = docker("run", "-d", "--name", busy, "busybox:local", "sh", "-c", script).strip();
        long busyCgroup = cgroupOf(busyId), idleCgroup = cgroupOf(idleId);
        // Both containers' start-up (runc's init opens many files in the container's cgroup) is left out.
        poll();
        long[] idleBefore = totals.getOrDefault(idleCgroup, new long[KernelCounts.NR_MAX]).clone();
        long[] busyBefore = totals.getOrDefault(busyCgroup, new long[KernelCounts.NR_MAX]).clone();
        docker("exec", busy, "busybox", "touch", "/go");
        docker("wait", busy);
        poll();

        long[] b = minus(totals.getOrDefault(busyCgroup, new long[KernelCounts.NR_MAX]), busyBefore);
        long[] i = minus(totals.getOrDefault(idleCgroup, new long[KernelCounts.NR_MAX]), idleBefore);
        int openat = names.number("openat").getAsInt(), read = names.number("read").getAsInt();
        assertTrue(b[openat] >= N, "openat in the busy container: " + b[openat]);
        assertTrue(b[read] >= N, "read in the busy container: " + b[read]);
        assertTrue(i[openat] < 10, "openat in the idle container: " + i[openat]);
        assertTrue(i[read] < 10, "read in the idle container: " + i[read]);
        long[] idleAll = totals.getOrDefault(idleCgroup, new long[KernelCounts.NR_MAX]);
        assertTrue(idleAll[names.number("nanosleep").getAsInt()] + idleAll[names.number("clock_nanosleep").getAsInt()] >= 1,
                "the idle container's sleep is counted as its own");
    }

    @Test
    void theTraceSendsArgumentsAndReturnValuesWithinTheRateLimit() throws Exception {
        String c = PREFIX + "-traced";
        containers.add(c);
        // Waits for a file that never comes into being, then opens a missing one in a loop.
        String id = docker("run", "-d", "--name", c, "busybox:local", "sh", "-c",
                "while [ ! -e /go ]; do usleep 10000; done; i=0; while [ $i -lt 2000 ]; do cat /nonexistent 2>/dev/null; i=$((i+1)); done; sleep 30").strip();
        long cgroup = cgroupOf(id);
        List<long[]> opens = new ArrayList<>();
        long[] recorded = {0};
        try (RingBuffer ring = obj.ringBuffer(); BpfLink exit = obj.program("syscall_exit").attach()) {
            long rate = 200, burst = 20;
            setTarget(cgroup, rate, burst);
            long before = counts.misses(KernelCounts.MISS_TRACE_RATE);
            long t0 = System.nanoTime();
            docker("exec", c, "busybox", "touch", "/go");
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline) {
                ring.poll(Duration.ofMillis(20), r -> {
                    EventHeader h = EventHeader.read(r);
                    SyscallEvent e = (SyscallEvent) new SyscallDecoder(names).decode(r, h, ContainerRef.HOST);
                    recorded[0]++;
                    assertEquals(cgroup, h.cgroupId());
                    if (e.name().equals("openat")) {
                        opens.add(new long[] {e.ret(), e.args().get(1)});
                    }
                });
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            setTarget(0, 0, 0);
            long dropped = counts.misses(KernelCounts.MISS_TRACE_RATE) - before;
            int cpus = Runtime.getRuntime().availableProcessors();
            assertTrue(recorded[0] <= cpus * (burst + rate * seconds) + 1, recorded[0] + " events in " + seconds + " s");
            assertTrue(dropped > 0, "the storm went over the limit: dropped " + dropped);
        }
        assertTrue(!opens.isEmpty(), "openat events");
        assertTrue(opens.stream().anyMatch(o -> o[0] == -2), "a failed open returns -ENOENT");
    }

    private static long[] minus(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int nr = 0; nr < a.length; nr++) {
            d[nr] = a[nr] - b[nr];
        }
        return d;
    }

    private static void setTarget(long cgroup, long rate, long burst) {
        obj.map("syscall_trace_target").update(Bytes.u32(0),
                ByteBuffer.allocate(24).order(ByteOrder.nativeOrder()).putLong(cgroup).putLong(rate).putLong(burst).array());
    }

    private static synchronized void poll() {
        counts.poll(System.nanoTime()).forEach((cg, d) -> {
            long[] t = totals.computeIfAbsent(cg, k -> new long[KernelCounts.NR_MAX]);
            for (int nr = 0; nr < d.length; nr++) {
                t[nr] += d[nr];
            }
        });
    }

    /** A Docker container's cgroup v2 id: the inode of its cgroup directory. */
    static long cgroupOf(String containerId) throws IOException {
        for (String dir : List.of("/sys/fs/cgroup/unified/docker/", "/sys/fs/cgroup/system.slice/docker-", "/sys/fs/cgroup/docker/")) {
            Path p = Path.of(dir.endsWith("-") ? dir + containerId + ".scope" : dir + containerId);
            if (Files.isDirectory(p)) {
                return (Long) Files.getAttribute(p, "unix:ino");
            }
        }
        throw new IOException("no cgroup directory for container " + containerId);
    }

    static String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0 && !args[0].equals("rm")) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
