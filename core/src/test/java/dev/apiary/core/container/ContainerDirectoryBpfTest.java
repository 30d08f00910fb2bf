package dev.apiary.core.container;

import static dev.apiary.core.container.CgroupTree.HEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.ContainerRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What needs root: the {@code apiary_watched} map of a loaded cgroups object following the scope
 * and Docker's facts, and processes moved into a real cgroup that a container's name names.
 */
@RequiresBpf
class ContainerDirectoryBpfTest {

    @TempDir
    Path tempRoot;

    private final List<Process> processes = new ArrayList<>();
    private final List<Path> cgroups = new ArrayList<>();
    private BpfObject obj;
    private ContainerDirectory directory;

    @AfterEach
    void close() throws Exception {
        if (directory != null) {
            directory.close();
        }
        if (obj != null) {
            obj.close();
        }
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        for (Path dir : cgroups.reversed()) {
            Files.deleteIfExists(dir); // rmdir: empty now that its processes were reaped
        }
    }

    @Test
    void setScopeEntersTheSelectedContainersAndTheirStopLeavesTheMap() throws Exception {
        obj = CgroupsObject.loadAndAttach();
        directory = new ContainerDirectory(new ContainerDirectory.Settings(tempRoot, null, WatchScope.CONTAINERS,
                Duration.ofHours(1), Duration.ofMinutes(2)), obj);
        directory.start();
        long host = ProcessNamespaces.hostMountNamespace();
        assertEquals(Map.of((long) WatchedNamespaces.KEY_CONTAINERS, 1, host, 0), directory.watched().entries());

        Process inOwnMountNs = start("unshare", "-m", "sleep", "60"); // unshare execs sleep: the same pid
        int pid = (int) inOwnMountNs.pid();
        DockerDirectoryTest.await("the process has its own mount namespace", Duration.ofSeconds(5),
                () -> ProcessNamespaces.inode(pid, "mnt") != 0 && ProcessNamespaces.inode(pid, "mnt") != host);
        long mnt = ProcessNamespaces.inode(pid, "mnt");
        DockerContainer shop = new DockerContainer(HEX, "web", "nginx", Map.of("app", "shop"), pid, Instant.now(), true, true);
        directory.dockerFacts().seen(shop);

        directory.setScope(WatchScope.parse("label=app=shop"));
        assertEquals("label=app=shop", directory.watched().scope().toString());
        assertEquals(Map.of(mnt, 1), directory.watched().entries());
        BpfMap map = obj.map("apiary_watched");
        assertEquals(Optional.of(1), map.lookup(Bytes.u32((int) mnt)).map(v -> (int) v[0]), "the kernel's map");

        directory.dockerFacts().seen(new DockerContainer(HEX, "web", "nginx", Map.of("app", "shop"), 0, null, false, false));
        assertEquals(Map.of(), directory.watched().entries(), "a stopped container leaves the map");
        assertTrue(map.lookup(Bytes.u32((int) mnt)).isEmpty());

        directory.setScope(WatchScope.ALL);
        assertEquals(Map.of((long) WatchedNamespaces.KEY_ALL, 1), directory.watched().entries());
    }

    @Test
    void aProcessInAContainersCgroupIsThatContainerAndDockerNamesIt() throws Exception {
        Path root = CgroupRoot.detect();
        directory = new ContainerDirectory(new ContainerDirectory.Settings(root, null, WatchScope.CONTAINERS,
                Duration.ofHours(1), Duration.ofMinutes(2)), null);
        directory.start();
        // Made after the walk and without a ring: only Docker's pid can lead the directory to it.
        Path parent = mkdir(root.resolve("apiary-test-" + ProcessHandle.current().pid()));
        Path scope = mkdir(parent.resolve("docker-" + HEX + ".scope"));
        Process sleep = start("sleep", "60");
        Files.writeString(scope.resolve("cgroup.procs"), Long.toString(sleep.pid()));
        int pid = (int) sleep.pid();

        assertEquals(ContainerRef.unnamed(HEX, CgroupPaths.DOCKER), directory.ofPid(pid));

        directory.dockerFacts().seen(new DockerContainer(HEX, "web", "busybox", Map.of(), pid, Instant.now(), true, true));
        assertEquals("web", directory.ofPid(pid).name());
        long id = CgroupTree.inode(scope);
        assertEquals("web", directory.resolve(id).name(), "the cgroup of Docker's pid was learned");
        assertEquals("/" + root.relativize(scope), directory.find("web").orElseThrow().cgroupPath());
        assertEquals(id, directory.find("web").orElseThrow().cgroupId());
    }

    private Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        return p;
    }

    private Path mkdir(Path dir) throws IOException {
        Files.createDirectory(dir);
        cgroups.add(dir);
        return dir;
    }
}
