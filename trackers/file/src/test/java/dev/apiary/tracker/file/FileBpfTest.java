package dev.apiary.tracker.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.testing.TestConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * file.bpf.o loaded for real (no OSGi), watching everything, and one busybox container with a
 * tmpfs on /tmp: its commands run through {@code docker exec}, and the test keeps the records
 * whose mount namespace is the container's.
 */
@RequiresBpf
@RequiresDocker
class FileBpfTest {

    private static final Path OBJECT = Path.of("target/classes/bpf/file.bpf.o");
    private static final ContainerRef CONTAINER = new ContainerRef("c0ffee" + "0".repeat(58), "file-test", "busybox:local",
            "docker", Map.of(), "", "");

    private static final String NAME = "apiary-file-test-" + UUID.randomUUID().toString().substring(0, 8);
    private static BpfObject obj;
    private static RingBuffer ring;
    private static FileDecoder decoder;
    private static Thread reader;
    private static volatile boolean reading = true;
    private static volatile long containerMntNs = -1;
    private static long containerCgroup;
    private static final List<FileEvent> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        obj = BpfObject.open(OBJECT);
        decoder = EventDecoder.checkLayouts(new FileDecoder(), obj);
        obj.map("apiary_events").setMaxEntries(RingSize.bytes(TestConfig.defaults(FileTracker.Config.class).ring_kb()));
        obj.load();
        obj.map("apiary_watched").update(Bytes.u32(0), new byte[] {1}); // watch everything, the host included
        obj.attachAll();
        ring = obj.ringBuffer();
        reader = Thread.ofPlatform().name("file-ring-reader").start(() -> {
            while (reading) {
                ring.poll(Duration.ofMillis(5), r -> {
                    EventHeader h = EventHeader.read(r);
                    if (h.mntNs() == containerMntNs) {
                        events.add((FileEvent) decoder.decode(r, h, CONTAINER));
                    }
                });
            }
        });
        docker("run", "-d", "--name", NAME, "--tmpfs", "/tmp", "busybox:local", "sleep", "600");
        String pid = docker("inspect", "--format", "{{.State.Pid}}", NAME);
        String link = Files.readSymbolicLink(Path.of("/proc", pid, "ns/mnt")).toString();
        containerMntNs = Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        containerCgroup = (Long) Files.getAttribute(Path.of("/sys/fs/cgroup/unified/docker", docker("inspect", "--format",
                "{{.Id}}", NAME)), "unix:ino");
    }

    @AfterAll
    static void close() throws Exception {
        reading = false;
        if (reader != null) {
            reader.join();
        }
        new ProcessBuilder("docker", "rm", "-f", NAME).start().waitFor();
        if (ring != null) {
            ring.close();
        }
        if (obj != null) {
            obj.close();
        }
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
            for (FileEvent e : events) {
                if (match.test(e)) {
                    return e;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + what + " (lost: " + ring.lostCount() + ") among " + events.size() + " events: " + events);
    }

    private static FileUsage awaitUsage(Predicate<FileUsage> match, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<FileUsage> all = List.of();
        while (System.nanoTime() < deadline) {
            all = FileUsage.readAll(obj.map("file_io"), cgroup -> CONTAINER);
            for (FileUsage u : all) {
                if (u.cgroupId() == containerCgroup && match.test(u)) {
                    return u;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no usage for " + what + " in " + all.stream().filter(u -> u.cgroupId() == containerCgroup).toList());
    }
}
