package dev.apiary.tracker.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.io.RandomAccessFile;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tracker started as core starts it ({@link TestTrackerContext}: namespace.bpf.o loaded for
 * real, no OSGi, watching everything), with what this JVM and its children do: unshare(1),
 * mounts in a private mount namespace, setns through FFM, and a cgroup made and entered by
 * hand. A wait drains the ring every 10 ms with {@link TestTrackerContext#pump()} (other work
 * on the machine fills it too) and keeps the events of this JVM and its children.
 */
@RequiresBpf
class NamespaceBpfTest {

    private static final NamespaceTracker tracker = new NamespaceTracker(TestConfig.defaults(NamespaceTracker.Config.class));
    @AutoClose // after stop()
    private static final TestTrackerContext context = new TestTrackerContext(NamespaceTracker.NAME);

    private static final int SELF = (int) ProcessHandle.current().pid();
    /** The events of {@link #family}, in the order the ring gave them. */
    private static final List<Event> ours = new ArrayList<>();
    /**
     * This JVM and the processes seen descending from it (a process that made an event, or
     * whose parent is one of them): unshare runs sh, which runs mount and umount.
     */
    private static final Set<Integer> family = new HashSet<>(Set.of(SELF));

    @BeforeAll
    static void start() throws Exception {
        context.start(tracker);
    }

    @AfterAll
    static void stop() {
        tracker.stop();
    }

    @Test
    void unshareReportsTheKindsItCreatedWithTheirNewIds() throws Exception {
        Process p = new ProcessBuilder("unshare", "--mount", "--uts", "--ipc", "--net", "--pid", "--fork", "true").start();
        assertEquals(0, p.waitFor());
        NamespaceEvent e = await(NamespaceEvent.class, ev -> ev.type().equals("unshare") && ev.header().pid() == p.pid(), "unshare");
        assertEquals(List.of("mnt", "pid", "net", "ipc", "uts"), e.kinds());
        assertEquals(0, e.ret());
        assertEquals(e.kinds(), List.copyOf(e.namespaces().keySet()));
        for (String kind : e.kinds()) {
            assertNotEquals(hostNs(kind), e.namespaces().get(kind), kind + " is a new namespace");
        }
        assertEquals(0x20000 | 0x20000000 | 0x40000000 | 0x08000000 | 0x04000000, e.flags());
    }

    @Test
    void mountsInAPrivateNamespaceCarryTheirStrings() throws Exception {
        Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs apiary-src /mnt && umount /mnt").start();
        assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
        MountEvent mount = await(MountEvent.class, ev -> ev.type().equals("mount") && ev.target().equals("/mnt"), "mount of /mnt");
        assertEquals("apiary-src", mount.source());
        assertEquals("tmpfs", mount.fsType());
        assertEquals(0, mount.ret());
        MountEvent umount = await(MountEvent.class, ev -> ev.type().equals("umount") && ev.target().equals("/mnt"), "umount of /mnt");
        assertEquals(0, umount.ret());
        assertEquals("", umount.source());
    }

    @Test
    void setnsWithNstypeZeroIsResolvedFromTheFd() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle setns = linker.downcallHandle(linker.defaultLookup().find("setns").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        long uts = hostNs("uts");
        int tid;
        int ret;
        // The fd of our own uts namespace: entering it changes nothing, and nstype 0 says "any kind".
        try (RandomAccessFile f = new RandomAccessFile("/proc/thread-self/ns/uts", "r")) {
            int fd = fdOnOwnUtsNamespace();
            ret = (int) setns.invokeExact(fd, 0);
            tid = tid();
            assertEquals(0, ret);
            NamespaceEvent e = await(NamespaceEvent.class, ev -> ev.type().equals("setns") && ev.header().tid() == tid
                    && ev.fd() == fd, "setns of fd " + fd);
            assertEquals(0L, e.flags());
            assertEquals(List.of("uts"), e.kinds());
            assertEquals(uts, e.namespaces().get("uts"));
        }
    }

    @Test
    void aCgroupMadeAndEnteredIsReportedWithItsPathAndTheTask() throws Exception {
        Path v2 = Path.of("/sys/fs/cgroup/unified");
        if (!Files.isDirectory(v2)) {
            v2 = Path.of("/sys/fs/cgroup");
        }
        String name = "apiary-ns-test-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = v2.resolve(name);
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            Files.createDirectory(dir);
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(p.pid()));
            CgroupEvent mkdir = await(CgroupEvent.class, ev -> ev.type().equals("cgroup_mkdir") && ev.path().equals("/" + name), "mkdir");
            assertEquals(0, mkdir.hierarchy());
            assertEquals("v2", mkdir.controllers());
            assertEquals(Files.readAttributes(dir, "unix:ino").get("ino"), mkdir.cgroupId());
            assertEquals("", mkdir.containerId());
            CgroupEvent attach = await(CgroupEvent.class, ev -> ev.type().equals("cgroup_attach") && ev.path().equals("/" + name), "attach");
            assertEquals(p.pid(), attach.taskPid());
            assertEquals("sleep", attach.taskComm());
            assertTrue(attach.threadGroup());
            assertEquals(SELF, attach.header().pid(), "the task that wrote cgroup.procs");
        } finally {
            p.destroyForcibly().waitFor();
            Thread.sleep(50);
            Files.deleteIfExists(dir);
        }
    }

    private static long hostNs(String kind) throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc/self/ns/" + kind)).toString();
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }

    private static int tid() throws Exception {
        return Integer.parseInt(Path.of("/proc/thread-self").toRealPath().getFileName().toString());
    }

    /** The number of the fd this process has open on its uts namespace file (the one just opened). */
    private static int fdOnOwnUtsNamespace() throws Exception {
        String target = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/uts")).toString();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(target)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (java.io.IOException gone) {
                    // an fd closed while listing
                }
            }
        }
        throw new AssertionError("no fd open on " + target);
    }

    private <T extends Event> T await(Class<T> type, Predicate<T> match, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < deadline) {
            drain();
            for (Event e : ours) {
                if (type.isInstance(e) && match.test(type.cast(e))) {
                    return type.cast(e);
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + what + " event (lost: " + context.lost() + "); ours: " + ours);
    }

    /** Decodes what waits in the ring now and keeps the events of this JVM's family, which it extends. */
    private static void drain() {
        for (Event e : context.pump()) {
            if (family.contains(e.header().pid()) || family.contains(e.header().ppid())) {
                family.add(e.header().pid());
                ours.add(e);
            }
        }
    }
}
