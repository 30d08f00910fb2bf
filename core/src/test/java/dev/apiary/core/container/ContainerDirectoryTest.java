package dev.apiary.core.container;

import static dev.apiary.core.container.CgroupTree.HEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory as its callers see it, without BPF and without a Docker daemon: a temporary
 * directory is the cgroup root, records are fed to the learner as the ring would bring them, and
 * Docker's facts are told to the directory's listener as the watcher would tell them.
 */
class ContainerDirectoryTest {

    private static final String SCOPE = "/system.slice/docker-" + HEX + ".scope";
    private static final Duration FORGET_AFTER = Duration.ofMinutes(2);
    private static final int SELF = (int) ProcessHandle.current().pid();

    @TempDir
    Path root;

    private CgroupTree tree;
    /** Nanoseconds; never 0, which a slot reads as "not gone". */
    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private ContainerDirectory directory;
    private int changes;

    @BeforeEach
    void open() {
        tree = new CgroupTree(root);
        // A rescan interval of an hour: no walk of the tree but the one of start().
        var settings = new ContainerDirectory.Settings(root, null, WatchScope.CONTAINERS, Duration.ofHours(1), FORGET_AFTER);
        directory = new ContainerDirectory(settings, null, clock::get);
    }

    @AfterEach
    void close() {
        directory.close();
    }

    @Test
    void aCgroupLearnedIsResolvedToTheContainerItsPathNames() {
        long scope = tree.mkdir(SCOPE);
        long nested = tree.mkdir(SCOPE + "/init.scope");
        long host = tree.mkdir("/user.slice/user-1000.slice");
        tree.procs(SCOPE, SELF);
        directory.start();

        ContainerRef unnamed = ContainerRef.unnamed(HEX, CgroupPaths.DOCKER);
        assertEquals(unnamed, directory.resolve(scope));
        assertEquals(unnamed, directory.resolve(nested), "a cgroup inside a container belongs to it");
        assertEquals(ContainerRef.HOST, directory.resolve(host));
        assertEquals(ContainerRef.HOST, directory.resolve(CgroupTree.inode(root)));
        assertEquals(ContainerRef.HOST, directory.resolve(987_654_321L), "an id nobody can place");
        assertEquals(unnamed, directory.ofCgroup(scope));

        Container c = directory.find(HEX.substring(0, 12)).orElseThrow();
        assertEquals(scope, c.cgroupId(), "the container's own cgroup, not the nested one");
        assertEquals(SCOPE, c.cgroupPath());
        assertTrue(c.running());
        assertEquals(SELF, c.pid(), "a container Docker does not know: the first pid of its cgroup.procs");
        assertEquals(ProcessNamespaces.inode(SELF, "mnt"), c.mntNs());
        assertEquals(1, directory.list().size());

        String kubepods = "/kubepods.slice/kubepods-besteffort.slice/cri-containerd-" + "f".repeat(64) + ".scope";
        directory.learner().learn(CgroupTree.made(4242, kubepods)); // made after the walk: only the ring knows it
        assertEquals(ContainerRef.unnamed("f".repeat(64), CgroupPaths.CONTAINERD), directory.resolve(4242));

        assertFalse(directory.awaitingMetadata(unnamed), "no daemon is followed: nothing to wait for");
        assertEquals("not followed", directory.dockerStatus());
        assertFalse(directory.dockerConnected());
        assertNull(directory.learnerRing());
        assertEquals(0, directory.drainLearner());
    }

    @Test
    void dockerFactsArrivingLaterNameTheContainer() {
        long scope = tree.mkdir(SCOPE);
        long nested = tree.mkdir(SCOPE + "/init.scope");
        directory.start();
        Map<String, String> labels = Map.of("app", "shop", "io.kubernetes.pod.name", "web-0",
                "io.kubernetes.pod.namespace", "prod");

        directory.dockerFacts().seen(new DockerContainer(HEX, "/web", "nginx:1.27", labels, 0, null, true, false));
        ContainerRef named = new ContainerRef(HEX, "web", "nginx:1.27", CgroupPaths.DOCKER, labels, "web-0", "prod");
        assertEquals(named, directory.resolve(scope));
        assertEquals(named, directory.resolve(nested), "every cgroup of the container has the one slot");
        assertEquals(named, directory.find("web").orElseThrow().ref());

        // A rename event carries the new name; the image and labels stay what Docker said before.
        directory.dockerFacts().seen(new DockerContainer(HEX, "shop-web", "", Map.of(), 0, null, true, false));
        assertEquals(new ContainerRef(HEX, "shop-web", "nginx:1.27", CgroupPaths.DOCKER, labels, "web-0", "prod"),
                directory.resolve(scope));
        assertTrue(directory.find("web").isEmpty());

        Instant started = Instant.parse("2025-01-02T03:04:05Z");
        directory.dockerFacts().seen(new DockerContainer(HEX, "shop-web", "nginx:1.27", labels, SELF, started, true, true));
        Container c = directory.find("shop-web").orElseThrow();
        assertEquals(SELF, c.pid(), "an inspect's pid");
        assertEquals(started, c.started());
        assertEquals(ProcessNamespaces.inode(SELF, "net"), c.netNs());
        assertEquals(scope, c.cgroupId());
    }

    @Test
    void dockerFactsBeforeTheCgroupNameItWhenItIsLearned() {
        directory.start();
        directory.dockerFacts().seen(new DockerContainer(HEX, "early", "busybox", Map.of(), 0, null, true, false));
        directory.learner().learn(CgroupTree.made(5151, SCOPE));
        assertEquals("early", directory.resolve(5151).name());
        assertEquals(5151, directory.find("early").orElseThrow().cgroupId());
    }

    @Test
    void aDestroyedContainerStaysResolvableForForgetAfterThenIsForgotten() {
        long scope = tree.mkdir(SCOPE);
        directory.start();
        DockerContainer web = new DockerContainer(HEX, "web", "nginx", Map.of(), 0, null, true, false);
        directory.dockerFacts().seen(web);

        // docker rm -f: the cgroup goes, the container dies, then it is destroyed.
        tree.rmdir(SCOPE);
        directory.learner().learn(CgroupTree.removed(scope, SCOPE));
        directory.dockerFacts().seen(web.withRunning(false));
        directory.dockerFacts().stopped(HEX, 0, java.time.Instant.now());
        directory.dockerFacts().destroyed(HEX);
        assertEquals("web", directory.resolve(scope).name(), "its queued events are still named");
        assertFalse(directory.find("web").orElseThrow().running());

        clock.addAndGet(Duration.ofMinutes(1).toNanos());
        somethingChanges();
        assertEquals("web", directory.resolve(scope).name(), "a minute is less than forgetAfter");

        clock.addAndGet(Duration.ofMinutes(1).plusSeconds(1).toNanos());
        somethingChanges();
        assertEquals(ContainerRef.HOST, directory.resolve(scope));
        assertTrue(directory.find("web").isEmpty());
        assertTrue(directory.list().isEmpty());
        assertTrue(directory.learner().path(scope).isEmpty(), "the learner forgot its path too");
    }

    @Test
    void findTakesANameAnIdOrAnIdPrefixAndPrefersRunningContainers() {
        String api = "abcdef" + "0".repeat(58);
        String db = "abcdef" + "1".repeat(58);
        directory.start();
        directory.dockerFacts().seen(new DockerContainer(api, "api", "img", Map.of(), 0, null, false, false));
        directory.dockerFacts().seen(new DockerContainer(db, "db", "img", Map.of(), 0, null, true, false));

        assertEquals(api, directory.find("api").orElseThrow().ref().id());
        assertEquals(api, directory.find("/api").orElseThrow().ref().id(), "Docker's leading slash");
        assertEquals(api, directory.find(api).orElseThrow().ref().id());
        assertEquals(api, directory.find("abcdef0").orElseThrow().ref().id());
        assertTrue(directory.find("ab").isEmpty(), "a prefix needs 3 characters");
        assertTrue(directory.find("nobody").isEmpty());
        assertTrue(directory.find("").isEmpty());

        // An ambiguous prefix is not refused: the first of list() wins, running ones first, then by name.
        assertEquals(db, directory.find("abcdef").orElseThrow().ref().id());
        directory.dockerFacts().seen(new DockerContainer(api, "api", "img", Map.of(), 0, null, true, false));
        assertEquals(api, directory.find("abcdef").orElseThrow().ref().id());
        assertEquals(java.util.List.of("api", "db"), directory.list().stream().map(c -> c.ref().name()).toList());
    }

    @Test
    void ofPidOfAHostProcessIsTheHost() {
        directory.start();
        String own = CgroupTable.cgroupPathOf(SELF);
        // Where the tests themselves run in a container, this JVM is in it: then the path names it.
        ContainerRef expected = CgroupPaths.parse(own).map(c -> ContainerRef.unnamed(c.id(), c.runtime()))
                .orElse(ContainerRef.HOST);
        assertEquals(expected, directory.ofPid(SELF));
        assertEquals(ContainerRef.HOST, directory.ofPid(Integer.MAX_VALUE), "no such process: the host");
    }

    @Test
    void withoutTheCgroupsObjectThereIsNoScopeToSet() {
        directory.start();
        assertNull(directory.watched());
        assertThrows(IllegalStateException.class, () -> directory.setScope(WatchScope.ALL));
    }

    @Test
    void limitsAreRefusedBeforeAnyDaemonIsAsked() {
        tree.mkdir("/machine.slice/libpod-" + HEX + ".scope");
        directory.start();
        assertThrows(IllegalArgumentException.class, () -> directory.setLimit(HEX, Containers.Limit.MEMORY, 0));
        assertThrows(IllegalArgumentException.class, () -> directory.setLimit("nobody", Containers.Limit.MEMORY, 1 << 20));
        var notDocker = assertThrows(IllegalArgumentException.class,
                () -> directory.setLimit(HEX, Containers.Limit.MEMORY, 1 << 20));
        assertTrue(notDocker.getMessage().contains("podman"), notDocker.getMessage());
        directory.dockerFacts().seen(new DockerContainer("e".repeat(64), "web", "img", Map.of(), 0, null, true, false));
        assertThrows(IllegalStateException.class, () -> directory.setLimit("web", Containers.Limit.PIDS, 100),
                "no Docker endpoint");
    }

    /** A change that makes the directory look for what to forget: an unknown host cgroup removed. */
    private void somethingChanges() {
        directory.learner().learn(CgroupTree.removed(900_000 + ++changes, "/gone.slice"));
    }
}
