package dev.apiary.tracker.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BootClock;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.SyscallNames;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it, through a {@link TestTrackerContext}
 * (syscall.bpf.o from target/classes, configured by the tracker, loaded, watching everything,
 * its pinned maps in a folder of the context's own), counting the syscalls of real busybox
 * containers in its table and tracing one of them; names from the real libseccomp.
 */
@RequiresBpf
class SyscallBpfTest {

    private static final String PREFIX = "apiary-syscall-test-" + UUID.randomUUID().toString().substring(0, 8);
    private static final int N = 200;

    /**
     * What core's containers would be here: each cgroup a container of its own, known by its
     * cgroup id alone, so that the tracker's table counts by cgroup (and a container counted
     * before the test knew it is not put under the host's row for good).
     */
    private static final Containers BY_CGROUP = TestContainers.of().unnamedCgroups();

    private static TestTrackerContext context;
    private static SyscallTracker tracker;
    private static SyscallTracker.Running running;
    private static final List<String> containers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        context = new TestTrackerContext(SyscallTracker.NAME, BY_CGROUP);
        // The counters are read every 100 ms (the fastest allowed): a test waits for a read or two.
        tracker = context.start(new SyscallTracker(TestConfig.of(SyscallTracker.Config.class, Map.of("refresh_ms", 100))));
        running = tracker.running().orElseThrow();
    }

    @AfterAll
    static void close() throws Exception {
        for (String c : containers) {
            docker("rm", "-f", c);
        }
        if (tracker != null) {
            tracker.stop();
        }
        if (context != null) {
            context.close();
        }
    }

    @Test
    void namesComeFromLibseccompForThisArchitecture() {
        SyscallNames names = running.names();
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
        awaitRead();
        long[] idleBefore = counts(idleCgroup), busyBefore = counts(busyCgroup);
        docker("exec", busy, "busybox", "touch", "/go");
        docker("wait", busy);
        awaitRead();

        long[] b = minus(counts(busyCgroup), busyBefore);
        long[] i = minus(counts(idleCgroup), idleBefore);
        SyscallNames names = running.names();
        int openat = names.number("openat").getAsInt(), read = names.number("read").getAsInt();
        assertTrue(b[openat] >= N, "openat in the busy container: " + b[openat]);
        assertTrue(b[read] >= N, "read in the busy container: " + b[read]);
        assertTrue(i[openat] < 10, "openat in the idle container: " + i[openat]);
        assertTrue(i[read] < 10, "read in the idle container: " + i[read]);
        long[] idleAll = counts(idleCgroup);
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
        // Delivered by pump() on this thread while the trace's subscription is open.
        List<SyscallEvent> traced = new CopyOnWriteArrayList<>();
        long rate = 200, burst = 20;
        long before = running.misses().rateLimited();
        double seconds;
        try (AutoCloseable trace = running.trace().start(cgroup, rate, burst, "SyscallBpfTest", EventSubscriber.of(
                new EventFilter(SyscallTracker.NAME, null, null), 1 << 16, e -> traced.add((SyscallEvent) e)))) {
            long t0 = System.nanoTime();
            docker("exec", c, "busybox", "touch", "/go");
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline) {
                context.pump();
                Thread.sleep(20);
            }
            seconds = (System.nanoTime() - t0) / 1e9;
        } // the trace ends: no target, the exit program detached
        long dropped = running.misses().rateLimited() - before;
        int cpus = Runtime.getRuntime().availableProcessors();
        assertTrue(traced.size() <= cpus * (burst + rate * seconds) + 1, traced.size() + " events in " + seconds + " s");
        assertTrue(dropped > 0, "the storm went over the limit: dropped " + dropped);
        assertEquals(List.of(), traced.stream().filter(e -> e.header().cgroupId() != cgroup).toList(), "only the traced cgroup's");
        List<SyscallEvent> opens = traced.stream().filter(e -> e.name().equals("openat")).toList();
        assertTrue(!opens.isEmpty(), "openat events");
        assertTrue(opens.stream().anyMatch(o -> o.ret() == -2), "a failed open returns -ENOENT");
    }

    private static long[] minus(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int nr = 0; nr < a.length; nr++) {
            d[nr] = a[nr] - b[nr];
        }
        return d;
    }

    /**
     * Waits for a read of the counters that began after this call, so that every syscall made
     * before it is in the table. This JVM's cgroup counts anew at every read (the reads
     * themselves are syscalls), so such a read stamps a row later than now.
     */
    private static void awaitRead() throws InterruptedException {
        long now = BootClock.nowNanos();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (running.table().snapshot().stream().noneMatch(c -> c.lastActive() >= now)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no read of the counters in 5 s");
            }
            Thread.sleep(20);
        }
    }

    /** The table's counts of a cgroup so far (zeros when it has made none). */
    private static long[] counts(long cgroup) {
        return running.table().snapshot().stream().filter(c -> c.container().id().equals(Long.toString(cgroup)))
                .map(ContainerCounts::total).findFirst().orElse(new long[KernelCounts.NR_MAX]);
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
