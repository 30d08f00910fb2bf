package dev.apiary.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real containers from busybox:local, named from the cgroup ids the BPF learner saw. */
@RequiresBpf
@RequiresDocker
class DockerDirectoryTest {

    private final List<String> created = new ArrayList<>();
    private BpfObject obj;
    private ContainerDirectory directory;

    @BeforeEach
    void start() {
        obj = CgroupsObject.loadAndAttach();
        directory = new ContainerDirectory(ContainerDirectory.Settings.defaults(), obj);
        directory.start();
        await("the Docker daemon connects", Duration.ofSeconds(10), directory::dockerConnected);
    }

    @AfterEach
    void stop() throws Exception {
        directory.close();
        obj.close();
        for (String name : created) {
            run("docker", "rm", "-f", name);
        }
    }

    @Test
    void aContainerOfFiftyMillisecondsIsNamedFromItsCgroupId() throws Exception {
        String name = unique("short");
        ShortRun r = runShort(name);
        assertFalse(Files.exists(directory.learner().root().resolve(r.cgroupPath.substring(1))),
                "the container's cgroup is gone, so only the BPF record can name it");
        ContainerRef ref = resolveNamed(r.cgroupId);
        assertEquals(name, ref.name());
        assertEquals(RequiresDocker.IMAGE, ref.image());
        assertEquals("docker", ref.runtime());
        assertEquals(r.id, ref.id());
        assertFalse(directory.awaitingMetadata(ref));
    }

    @Test
    void aRunningContainerIsListedWithItsProcessAndNamespaces() throws Exception {
        String name = unique("long");
        created.add(name);
        run("docker", "run", "-d", "--name", name, "--label", "app=shop", RequiresDocker.IMAGE, "sleep", "30");
        await("the container is listed running", Duration.ofSeconds(5),
                () -> directory.find(name).filter(c -> c.running() && c.pid() > 0 && c.cgroupId() != 0).isPresent());
        Container c = directory.find(name).orElseThrow();
        String cgroup = CgroupTable.cgroupPathOf(c.pid());
        assertEquals(cgroup, c.cgroupPath());
        assertEquals(CgroupLearnerBpfTest.inode(directory.learner().root().resolve(cgroup.substring(1))), c.cgroupId(),
                "the learned id is the inode of the cgroup directory");
        assertEquals(ProcessNamespaces.inode(c.pid(), "mnt"), c.mntNs());
        assertEquals(ProcessNamespaces.inode(c.pid(), "net"), c.netNs());
        assertEquals(ProcessNamespaces.inode(c.pid(), "pid"), c.pidNs());
        assertNotNull(c.started());
        assertEquals("shop", c.ref().labels().get("app"));
        assertEquals(c.ref(), directory.ofPid(c.pid()));
        assertEquals(c.ref(), directory.resolve(c.cgroupId()));

        directory.setScope(WatchScope.parse("label=app=shop"));
        assertEquals(java.util.Map.of(c.mntNs(), 1), directory.watched().entries());
        run("docker", "stop", "-t", "0", name);
        await("a stopped container leaves the watched map", Duration.ofSeconds(5),
                () -> directory.watched().entries().isEmpty());
    }

    @Test
    void theDirectoryOutlivesTheDaemonAndNamesAgainAfterItsReturn() throws Exception {
        String before = unique("before");
        ShortRun first = runShort(before);
        assertEquals(before, resolveNamed(first.cgroupId).name());

        Dockerd daemon = Dockerd.find();
        daemon.kill();
        try {
            await("the directory notices the daemon is gone", Duration.ofSeconds(10), () -> !directory.dockerConnected());
            assertEquals(before, directory.resolve(first.cgroupId).name(), "what Docker said stays known");
            ContainerRef unnamed = ContainerRef.unnamed("e".repeat(64), "docker");
            assertFalse(directory.awaitingMetadata(unnamed), "no point waiting for a daemon that is away");
        } finally {
            daemon.restart();
        }
        await("the directory reconnects", Duration.ofSeconds(20), directory::dockerConnected);
        String after = unique("after");
        ShortRun second = runShort(after);
        assertEquals(after, resolveNamed(second.cgroupId).name());
    }

    // ---- helpers ----

    private record ShortRun(String id, String cgroupPath, long cgroupId) {
    }

    /** docker run of sh -c 'cat /proc/self/cgroup; sleep 0.05': the container says its own cgroup. */
    private ShortRun runShort(String name) throws Exception {
        created.add(name);
        String out = run("docker", "run", "--name", name, RequiresDocker.IMAGE, "sh", "-c", "cat /proc/self/cgroup; sleep 0.05");
        String path = out.lines().filter(l -> l.startsWith("0::")).findFirst()
                .orElseThrow(() -> new AssertionError("no cgroup v2 line in " + out)).substring(3);
        String id = run("docker", "inspect", "-f", "{{.Id}}", name).strip();
        directory.drainLearner(); // what the dispatcher does on a miss
        long cgroupId = directory.learner().idOf(path)
                .orElseThrow(() -> new AssertionError("the BPF learner did not see " + path + " made"));
        return new ShortRun(id, path, cgroupId);
    }

    /** Resolves as the dispatcher does: again while awaitingMetadata says the name is coming. */
    private ContainerRef resolveNamed(long cgroupId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        ContainerRef ref = directory.resolve(cgroupId);
        while (ref.name().isEmpty() && System.nanoTime() < deadline) {
            assertTrue(directory.awaitingMetadata(ref), "an unnamed docker container with the daemon up should be awaited: " + ref);
            sleep(10);
            ref = directory.resolve(cgroupId);
        }
        return ref;
    }

    private static String unique(String what) {
        return "apiary-test-" + what + "-" + Long.toHexString(System.nanoTime());
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            sleep(20);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The running dockerd, to be stopped and started again with the same command line. */
    private record Dockerd(long pid, List<String> command) {

        static Dockerd find() throws IOException {
            for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
                Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
                String comm;
                try {
                    comm = Files.readString(Path.of("/proc", Long.toString(p.pid()), "comm")).strip();
                } catch (IOException e) {
                    continue;
                }
                if (comm.equals("dockerd")) {
                    List<String> args = List.of(Files.readString(cmdline).split("\0"));
                    return new Dockerd(p.pid(), args);
                }
            }
            throw new AssertionError("no dockerd process found to restart (is the daemon remote?)");
        }

        void kill() {
            ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
            h.destroy(); // SIGTERM: dockerd shuts down cleanly and removes its socket
            await("dockerd " + pid + " exits", Duration.ofSeconds(30), () -> !h.isAlive());
        }

        void restart() throws IOException {
            new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("/tmp/dockerd.log"))).start();
            await("dockerd answers again", Duration.ofSeconds(30), () -> {
                try {
                    run("docker", "version");
                    return true;
                } catch (IOException | InterruptedException | AssertionError e) {
                    return false;
                }
            });
        }
    }
}
