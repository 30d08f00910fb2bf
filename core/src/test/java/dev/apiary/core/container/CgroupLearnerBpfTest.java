package dev.apiary.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cgroup learner and the watched map against the real kernel: cgroups made under the v2 root. */
@RequiresBpf
class CgroupLearnerBpfTest {

    private static final String HEX = "0123456789abcdef".repeat(4);

    private final Path root = CgroupRoot.detect();
    private final Path parent = root.resolve("apiary-test-" + ProcessHandle.current().pid());
    private BpfObject obj;
    private ContainerDirectory directory;

    @BeforeEach
    void load() throws IOException {
        obj = CgroupsObject.loadAndAttach();
        directory = new ContainerDirectory(ContainerDirectory.Settings.defaults().withDocker(null), obj);
        directory.start();
    }

    @AfterEach
    void close() throws IOException {
        directory.close();
        obj.close();
        removeTree(parent);
    }

    @Test
    void aCgroupMadeAndRemovedBeforeAnyoneLooksIsNamedFromItsRecord() throws IOException {
        Path scope = Files.createDirectories(parent).resolve("docker-" + HEX + ".scope");
        Files.createDirectory(scope);
        long id = inode(scope);
        Files.delete(scope); // gone from the tree: only the BPF record knows it now

        assertEquals(ContainerRef.unnamed(HEX, "docker"), directory.resolve(id)); // a miss drains the ring
        assertEquals("/" + root.relativize(scope), directory.learner().path(id).orElseThrow());
        assertEquals(ContainerRef.HOST, directory.resolve(inode(parent)));
        Container c = directory.find(HEX.substring(0, 12)).orElseThrow();
        assertEquals(id, c.cgroupId());
        assertFalse(c.running(), "its cgroup was removed: " + c);
    }

    @Test
    void learnedIdsAreTheInodesAndTheV1HierarchiesAreIgnored() throws IOException {
        Path host = Files.createDirectories(parent.resolve("host-work"));
        assertTrue(directory.drainLearner() >= 1, "a record per v2 mkdir");
        assertEquals("/" + root.relativize(host), directory.learner().path(inode(host)).orElseThrow());
        Path v1 = Path.of("/sys/fs/cgroup/memory");
        if (Files.isDirectory(v1) && !v1.startsWith(root)) {
            Path v1dir = Files.createDirectory(v1.resolve("apiary-v1-" + ProcessHandle.current().pid()));
            try {
                directory.drainLearner();
                assertTrue(directory.learner().path(inode(v1dir)).filter(p -> p.contains("apiary-v1")).isEmpty(),
                        "a v1 memory cgroup was learned as if it were v2");
            } finally {
                Files.delete(v1dir);
            }
        }
    }

    @Test
    void cgroupsFromBeforeTheStartAreFoundByTheWalk() throws IOException {
        Path early = Files.createDirectories(parent).resolve("libpod-" + HEX + ".scope");
        Files.createDirectory(early);
        try (ContainerDirectory later = new ContainerDirectory(ContainerDirectory.Settings.defaults().withDocker(null), null)) {
            later.start(); // no BPF object: only the walk can know it
            assertEquals(ContainerRef.unnamed(HEX, "podman"), later.ofCgroup(inode(early)));
        }
    }

    @Test
    void theWatchedMapFollowsTheScope() {
        BpfMap map = obj.map("apiary_watched");
        long hostMnt = ProcessNamespaces.hostMountNamespace();
        assertTrue(hostMnt != 0, "the host mount namespace is readable");

        assertEquals(Map.of(1L, 1, hostMnt, 0), contents(map)); // the default scope: containers

        directory.setScope(WatchScope.ALL);
        assertEquals(Map.of(0L, 1), contents(map));

        WatchedNamespaces watched = directory.watched();
        watched.apply(WatchScope.parse("name=web"), List.of());
        assertEquals(Map.of(), contents(map));
        ContainerRef web = new ContainerRef("c".repeat(64), "web", "img", "docker", Map.of(), "", "");
        ContainerRef other = new ContainerRef("d".repeat(64), "other", "img", "docker", Map.of(), "", "");
        watched.update(new Container(web, 4242, 99, "/docker/x", 4026599999L, 1, 2, true, Instant.now()));
        watched.update(new Container(other, 4243, 98, "/docker/y", 4026599998L, 1, 2, true, Instant.now()));
        assertEquals(Map.of(4026599999L, 1), contents(map));
        watched.update(new Container(web, 0, 99, "/docker/x", 4026599999L, 1, 2, false, Instant.now()));
        assertEquals(Map.of(), contents(map));
    }

    private static Map<Long, Integer> contents(BpfMap map) {
        Map<Long, Integer> out = new HashMap<>();
        for (byte[] key : map.keys()) {
            out.put(Integer.toUnsignedLong(Bytes.toU32(key)), (int) map.lookup(key).orElseThrow()[0]);
        }
        return out;
    }

    static long inode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    private static void removeTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var children = Files.list(dir)) {
            for (Path child : children.filter(Files::isDirectory).toList()) {
                removeTree(child);
            }
        }
        Files.delete(dir); // cgroup directories: rmdir, their control files go with them
    }
}
