package dev.apiary.tracker.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One busybox container with a tmpfs on /tmp, and the tracker started as core starts it
 * ({@link TestTrackerContext}: file.bpf.o loaded for real, no OSGi, watching everything) with
 * that container as the one core knows, found by its cgroup: the container's commands run
 * through {@code docker exec}, and the test keeps the records whose mount namespace is the
 * container's, read from the ring every 10 ms while it waits ({@link TestTrackerContext#pump()}).
 */
@RequiresBpf
@RequiresDocker
class FileBpfTest {

    private static final ContainerRef CONTAINER = new ContainerRef("c0ffee" + "0".repeat(58), "file-test", "busybox:local",
            "docker", Map.of(), "", "");

    private static final String NAME = "apiary-file-test-" + UUID.randomUUID().toString().substring(0, 8);
    private static TestTrackerContext context;
    private static FileTracker tracker;
    private static long containerMntNs;
    private static long containerCgroup;
    private static final List<FileEvent> events = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        docker("run", "-d", "--name", NAME, "--tmpfs", "/tmp", "busybox:local", "sleep", "600");
        String pid = docker("inspect", "--format", "{{.State.Pid}}", NAME);
        String link = Files.readSymbolicLink(Path.of("/proc", pid, "ns/mnt")).toString();
        containerMntNs = Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        String id = docker("inspect", "--format", "{{.Id}}", NAME);
        containerCgroup = (Long) Files.getAttribute(Path.of("/sys/fs/cgroup/unified/docker", id), "unix:ino");
        context = new TestTrackerContext(FileTracker.NAME, TestContainers.of(new Container(CONTAINER,
                Integer.parseInt(pid), containerCgroup, "/docker/" + id, containerMntNs, 0, 0, true, null)));
        tracker = context.start(new FileTracker(TestConfig.defaults(FileTracker.Config.class)));
    }

    @AfterAll
    static void close() throws Exception {
        if (tracker != null) {
            tracker.stop();
        }
        if (context != null) {
            context.close();
        }
        new ProcessBuilder("docker", "rm", "-f", NAME).start().waitFor();
    }

    @Test
    void echoCatRmGiveCreateOpenReadAndUnlinkWithThosePaths() throws Exception {
        String f = "/tmp/f-" + UUID.randomUUID().toString().substring(0, 8);
        exec("echo x > " + f + "; cat " + f + "; rm " + f);

        FileEvent create = await(e -> e.type().equals("open") && e.path().equals(f) && e.created(), "create of " + f);
        assertTrue(create.kinds().containsAll(List.of("write", "create")), create.toString());
        assertTrue(create.flags().startsWith("O_WRONLY|O_CREAT") && create.flags().contains("O_TRUNC"), create.flags());
        assertEquals("0666", create.mode());
        assertTrue(create.ret() >= 0, "an fd: " + create.ret());
        assertEquals(f, create.resolvedPath());
        assertEquals("sh", create.header().comm());

        FileEvent open = await(e -> e.type().equals("open") && e.path().equals(f) && e.is(Kind.READ), "cat's open of " + f);
        assertEquals(List.of("read"), open.kinds());
        assertFalse(open.created());
        assertEquals("O_RDONLY", open.flags().split("\\|")[0]);
        assertEquals("", open.mode());
        assertTrue(open.ret() >= 0);

        FileEvent unlink = await(e -> e.type().equals("unlink") && e.path().equals(f), "unlink of " + f);
        assertEquals(0, unlink.ret());
        assertEquals(List.of("delete"), unlink.kinds());
        assertEquals(CONTAINER, unlink.container());
        assertTrue(create.header().tsNanos() < open.header().tsNanos() && open.header().tsNanos() < unlink.header().tsNanos());

        FileUsage usage = awaitUsage(u -> u.path().equals(f) && u.readBytes() >= 2 && u.writeBytes() >= 2, f + " read and written");
        assertEquals(2, usage.writeBytes(), "echo wrote \"x\\n\"");
        assertEquals(2, usage.readBytes(), "cat read it back (busybox cat with sendfile)");
        assertEquals(containerCgroup, usage.cgroupId());
    }

    @Test
    void aFailedOpenReportsItsErrno() throws Exception {
        String missing = "/nonexistent-" + UUID.randomUUID().toString().substring(0, 8);
        exec("cat " + missing + " || true");
        FileEvent open = await(e -> e.type().equals("open") && e.path().equals(missing), "open of " + missing);
        assertEquals(-2, open.ret());
        assertEquals("ENOENT", open.error());
        assertFalse(open.succeeded());
        assertEquals(missing, open.resolvedPath(), "an absolute path as given");
    }

    @Test
    void relativePathsAreResolvedAgainstTheWorkingDirectory() throws Exception {
        String name = "rel-" + UUID.randomUUID().toString().substring(0, 8);
        exec("cd /tmp && echo y > " + name + " && mv " + name + " " + name + ".b && chmod 640 " + name + ".b && rm "
                + name + ".b && mkdir d" + name + " && rmdir d" + name);
        FileEvent create = await(e -> e.type().equals("open") && e.path().equals(name), "open of " + name);
        assertEquals("/tmp/" + name, create.resolvedPath(), "read from the new fd's struct file");
        FileEvent rename = await(e -> e.type().equals("rename") && e.path().equals(name), "rename of " + name);
        assertEquals(name + ".b", rename.newPath());
        assertEquals("/tmp/" + name, rename.resolvedPath());
        assertEquals("/tmp/" + name + ".b", rename.resolvedNewPath());
        assertEquals(List.of("create", "delete"), rename.kinds());
        FileEvent chmod = await(e -> e.type().equals("chmod") && e.path().equals(name + ".b"), "chmod of " + name);
        assertEquals("0640", chmod.mode());
        assertEquals(0, chmod.ret());
        FileEvent unlink = await(e -> e.type().equals("unlink") && e.path().equals(name + ".b"), "rm of " + name);
        assertEquals("/tmp/" + name + ".b", unlink.resolvedPath());
        FileEvent mkdir = await(e -> e.type().equals("mkdir") && e.path().equals("d" + name), "mkdir");
        assertEquals("/tmp/d" + name, mkdir.resolvedPath());
        assertEquals(List.of("create"), mkdir.kinds());
        FileEvent rmdir = await(e -> e.type().equals("rmdir") && e.path().equals("d" + name), "rmdir");
        assertEquals(List.of("delete"), rmdir.kinds());
        assertEquals(0, rmdir.ret());
    }

    @Test
    void bytesWrittenByDdAreAddedUpForThatFile() throws Exception {
        String f = "/tmp/dd-" + UUID.randomUUID().toString().substring(0, 8);
        int bytes = 4096 * 300;
        exec("busybox dd if=/dev/zero of=" + f + " bs=4096 count=300 2>/dev/null; busybox dd if=" + f
                + " of=/dev/null bs=65536 2>/dev/null");
        FileUsage u = awaitUsage(x -> x.path().equals(f) && x.readBytes() >= bytes, f);
        assertTrue(u.writeBytes() >= bytes, u.writeBytes() + " written");
        assertEquals(bytes, u.writeBytes());
        assertEquals(300, u.writes());
        assertEquals(bytes, u.readBytes());
        assertFalse(u.pathCut());
    }

    private static void exec(String script) throws Exception {
        docker("exec", NAME, "sh", "-c", script);
    }

    private static String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static FileEvent await(Predicate<FileEvent> match, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            drain();
            for (FileEvent e : events) {
                if (match.test(e)) {
                    return e;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + what + " (lost: " + context.lost() + ") among " + events.size() + " events: " + events);
    }

    /** The tracker's usage of the container's files ({@code file_io} read now), until one matches. */
    private static FileUsage awaitUsage(Predicate<FileUsage> match, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<FileUsage> ofContainer = List.of();
        while (System.nanoTime() < deadline) {
            ofContainer = tracker.running().orElseThrow().usage().stream().filter(u -> u.container().equals(CONTAINER)).toList();
            for (FileUsage u : ofContainer) {
                if (match.test(u)) {
                    return u;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no usage for " + what + " in " + ofContainer);
    }

    /** Decodes what waits in the ring now and keeps the events in the container's mount namespace. */
    private static void drain() {
        for (Event e : context.pump()) {
            if (e.header().mntNs() == containerMntNs) {
                events.add((FileEvent) e);
            }
        }
    }
}
