package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The namespace tracker in the assembled runtime ({@code bin/apiary --headless --output FILE}
 * and {@code bin/apiary -c}), with one real container started after the runtime: its
 * creation, its namespaces against the host's, and a memory limit changed through Docker and
 * read back from the cgroup filesystem by the test itself.
 */
@RequiresBpf
@RequiresDocker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NamespaceTrackerIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final List<String> KINDS = List.of("mnt", "pid", "net", "ipc", "uts");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;
    private static final String NAME = Docker.uniqueName("ns");
    private static String id;
    private static String pid;

    @BeforeAll
    static void boot() throws Exception {
        assertTrue(Files.isExecutable(HOME.resolve("bin/apiary")), "assembled runtime at " + HOME);
        runtime = HeadlessRuntime.start(HOME, dir);
        runtime.awaitTracker("namespace");
        // Started after the tracker: its whole creation is seen.
        id = ok("run", "-d", "--name", NAME, "busybox:local", "sleep", "300");
        pid = ok("inspect", "--format", "{{.State.Pid}}", NAME);
    }

    @AfterAll
    static void stop() throws Exception {
        Docker.removeQuietly(NAME);
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    @Order(1)
    void dockerRunShowsTheCreationOfTheContainersNamespacesAndCgroup() throws Exception {
        // runc's child creates the namespaces (unshare, or clone with CLONE_NEW* flags) while it is
        // already in the container's cgroup: the event is attributed to the new container.
        Set<String> created = new HashSet<>();
        List<JsonNode> creations = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!created.containsAll(KINDS) && System.nanoTime() < deadline) {
            creations = runtime.events(e -> isNamespace(e) && (type(e).equals("unshare") || type(e).equals("clone"))
                    && e.path("container").path("id").asText().equals(id) && e.path("ret").asInt() >= 0);
            creations.forEach(e -> e.path("kinds").forEach(k -> created.add(k.asText())));
            Thread.sleep(100);
        }
        assertTrue(created.containsAll(KINDS), "mnt, pid, net, ipc, uts created for " + id + ": " + creations);
        // The new namespace ids are the container's own, as /proc/PID/ns shows them.
        for (String kind : KINDS) {
            long procId = nsId(pid, kind);
            assertTrue(creations.stream().anyMatch(e -> e.path("namespaces").path(kind).asLong() == procId),
                    kind + " namespace " + procId + " of the container's process is the one created: " + creations);
            assertNotEquals(nsId("self", kind), procId, kind + " differs from the host's");
        }
        JsonNode creator = creations.get(0);
        assertTrue(creator.path("comm").asText().startsWith("runc"), "made by runc: " + creator);

        // Its cgroup was made by runc: in cgroup v2 and, on a v1 hybrid, in the memory hierarchy.
        JsonNode v2 = runtime.awaitEvent(e -> isNamespace(e) && type(e).equals("cgroup_mkdir")
                && e.path("container_id").asText().equals(id) && e.path("controllers").asText().equals("v2"), WAIT,
                "cgroup v2 mkdir for " + id);
        assertTrue(v2.path("path").asText().contains(id), v2.toString());
        assertTrue(v2.path("comm").asText().startsWith("runc"), v2.toString());
        if (Files.isDirectory(Path.of("/sys/fs/cgroup/memory"))) {
            runtime.awaitEvent(e -> isNamespace(e) && type(e).equals("cgroup_mkdir") && e.path("container_id").asText().equals(id)
                    && e.path("controllers").asText().equals("memory"), WAIT, "v1 memory cgroup mkdir for " + id);
        }
        // ...and runc's child was moved into it.
        runtime.awaitEvent(e -> isNamespace(e) && type(e).equals("cgroup_attach") && e.path("container_id").asText().equals(id)
                && e.path("task_comm").asText().startsWith("runc"), WAIT, "a runc task attached to the cgroup of " + id);
    }

    @Test
    @Order(2)
    void showListsTheContainersNamespacesAsItsOwnAndTheHostsShared() throws Exception {
        HeadlessRuntime.Result r = runtime.command("ns:show " + NAME);
        assertEquals(0, r.status(), r.toString());
        for (String kind : KINDS) {
            long own = nsId(pid, kind);
            long host = nsId("self", kind);
            assertTrue(r.out().lines().anyMatch(l -> l.matches(kind + "\\s+" + own + "\\s+" + host + "\\s+own")),
                    kind + " " + own + " shown as its own: " + r);
        }
        // Docker gives a container no user namespace of its own by default.
        assertTrue(r.out().lines().anyMatch(l -> l.matches("user\\s+(\\d+)\\s+\\1\\s+shared with the host")), r.toString());

        JsonNode json = JSON.readTree(runtime.command("ns:show --json " + NAME).out());
        assertEquals(id, json.path("id").asText());
        for (JsonNode ns : json.path("namespaces")) {
            assertEquals(nsId(pid, ns.path("kind").asText()), ns.path("id").asLong(), ns.toString());
            assertEquals(nsId("self", ns.path("kind").asText()), ns.path("host").asLong(), ns.toString());
        }
        assertTrue(json.path("cgroups").toString().contains(id), json.toString());
        assertTrue(json.path("limits").toString().contains("\"memory\""), json.toString());
    }

    @Test
    @Order(3)
    void setLimitChangesTheMemoryLimitInTheCgroupFilesystem() throws Exception {
        Path limitFile = memoryLimitFile();
        String before = Files.readString(limitFile).trim();
        assertNotEquals("67108864", before);
        HeadlessRuntime.Result r = runtime.command("ns:set-limit " + NAME + " memory 64m");
        assertEquals(0, r.status(), r.toString());
        assertEquals("67108864", Files.readString(limitFile).trim(), "read back from " + limitFile);
        assertTrue(r.out().contains(limitFile + ": " + before + " -> 67108864"), r.toString());
        assertTrue(r.out().contains("-> 64.0 MiB"), r.toString());
    }

    @Test
    @Order(4)
    void wrongArgumentsGetOneClearLineAndChangeNothing() throws Exception {
        Path limitFile = memoryLimitFile();
        String before = Files.readString(limitFile).trim();
        List<List<String>> wrong = List.of(
                List.of("ns:show nosuchcontainer", "no container named nosuchcontainer; running: "),
                List.of("ns:set-limit nosuchcontainer memory 64m", "no container named nosuchcontainer; running: "),
                List.of("ns:set-limit " + NAME + " disk 64m", "unknown limit 'disk'"),
                List.of("ns:set-limit " + NAME + " memory lots", "bad memory value 'lots'"),
                List.of("ns:set-limit " + NAME + " cpu 0.5x", "bad cpu value '0.5x'"),
                List.of("ns:set-limit " + NAME + " pids -3", "bad pids value '-3'"),
                List.of("ns:set-limit " + NAME + " memory", "usage: ns:set-limit"),
                // The daemon refuses a memory limit below its 6 MiB minimum.
                List.of("ns:set-limit " + NAME + " memory 1k", "memory not changed"));
        for (List<String> c : wrong) {
            runtime.assertRefused(c.get(0), c.get(1));
        }
        assertEquals(before, Files.readString(limitFile).trim(), "nothing changed");
    }

    /** memory.limit_in_bytes of the v1 memory hierarchy, or memory.max in v2. */
    private static Path memoryLimitFile() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (List.of(f[1].split(",")).contains("memory")) {
                return Path.of("/sys/fs/cgroup/memory" + f[2], "memory.limit_in_bytes");
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            if (line.startsWith("0::")) {
                Path unified = Path.of("/sys/fs/cgroup/unified");
                return (Files.isDirectory(unified) ? unified : Path.of("/sys/fs/cgroup")).resolve(line.substring(4)).resolve("memory.max");
            }
        }
        throw new AssertionError("no memory cgroup for " + pid);
    }

    private static long nsId(String pid, String kind) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc", pid, "ns", kind)).toString();
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }

    private static boolean isNamespace(JsonNode e) {
        return e.path("tracker").asText().equals("namespace");
    }

    private static String type(JsonNode e) {
        return e.path("type").asText();
    }
}
