package dev.apiary.tracker.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.testing.ControlCharacters;
import dev.apiary.sdk.testing.TestContainers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ns:show and ns:set-limit over a fake /proc and cgroup tree (v1 hybrid, as Docker's cgroupfs
 * driver lays it out) and fake containers whose setLimit writes the cgroup file, as the daemon
 * would.
 */
class NamespaceCommandsTest {

    private static final String ID = "3f2a1b9c0d12aa34bb56cc78dd90ee12ff34aa56bb78cc90dd12ee34ff56aa78";
    private static final int PID = 4242;

    @TempDir
    Path root;
    private Path proc;
    private Path memoryDir;
    private TestContainers containers;
    /** The limits set, as "MEMORY 67108864". */
    private final List<String> limitsSet = new java.util.ArrayList<>();
    /** The daemon's refusal of the next limit, if any. */
    private String refusal;
    private NamespaceCommands commands;

    @BeforeEach
    void tree() throws IOException {
        proc = root.resolve("proc");
        Path cg = root.resolve("cgroup");
        Files.createDirectories(proc.resolve("self/ns"));
        Files.createDirectories(proc.resolve(PID + "/ns"));
        long hostBase = 4026531830L;
        long ownBase = 4026532400L;
        for (NamespaceKind k : NamespaceKind.values()) {
            long host = hostBase + k.ordinal();
            boolean shared = k == NamespaceKind.USER || k == NamespaceKind.CGROUP || k == NamespaceKind.TIME;
            Files.createSymbolicLink(proc.resolve("self/ns/" + k.procName()), Path.of(k.procName() + ":[" + host + "]"));
            Files.createSymbolicLink(proc.resolve(PID + "/ns/" + k.procName()),
                    Path.of(k.procName() + ":[" + (shared ? host : ownBase + k.ordinal()) + "]"));
        }
        Files.writeString(proc.resolve("self/mountinfo"), String.join("\n",
                "30 25 0:26 / " + cg.resolve("unified") + " rw,nosuid - cgroup2 cgroup2 rw,nsdelegate",
                "31 25 0:27 / " + cg.resolve("memory") + " rw,nosuid - cgroup cgroup rw,memory",
                "32 25 0:28 / " + cg.resolve("cpu,cpuacct") + " rw,nosuid - cgroup cgroup rw,cpu,cpuacct",
                "33 25 0:29 / " + cg.resolve("pids") + " rw,nosuid - cgroup cgroup rw,pids",
                "34 25 0:30 / /proc rw - proc proc rw", ""));
        Files.writeString(proc.resolve(PID + "/cgroup"), String.join("\n",
                "4:memory:/docker/" + ID, "3:cpu,cpuacct:/docker/" + ID, "2:pids:/docker/" + ID, "0::/docker/" + ID, ""));
        memoryDir = write(cg.resolve("memory/docker/" + ID), Map.of("memory.limit_in_bytes", "9223372036854771712\n",
                "memory.usage_in_bytes", "1048576\n"));
        write(cg.resolve("cpu,cpuacct/docker/" + ID), Map.of("cpu.cfs_quota_us", "-1\n", "cpu.cfs_period_us", "100000\n",
                "cpuacct.usage", "420000000\n"));
        write(cg.resolve("pids/docker/" + ID), Map.of("pids.max", "max\n", "pids.current", "1\n"));
        Files.createDirectories(cg.resolve("unified/docker/" + ID));

        containers = containers(web("web", "busybox:local"));
        commands = new NamespaceCommands(() -> Optional.of(containers), proc, () -> {
            try {
                return CgroupFs.read(proc);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void showTellsOwnNamespacesFromSharedOnesAndTheLimits() throws Exception {
        String out = commands.show(false, "web");
        assertTrue(out.startsWith("web (3f2a1b9c0d12, docker, busybox:local), pid 4242"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("mnt\\s+4026532400\\s+4026531830\\s+own")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("net\\s+4026532402\\s+4026531832\\s+own")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("user\\s+4026531835\\s+4026531835\\s+shared with the host")), out);
        assertTrue(out.contains("memory " + root.resolve("cgroup/memory/docker/" + ID)), out);
        assertTrue(out.contains("cpu,cpuacct " + root.resolve("cgroup/cpu,cpuacct/docker/" + ID)), out);
        assertTrue(out.contains("v2 " + root.resolve("cgroup/unified/docker/" + ID)), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("memory\\s+unlimited\\s+1.0 MiB")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("cpu\\s+unlimited\\s+0.42 s CPU")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("pids\\s+unlimited\\s+1")), out);
    }

    @Test
    void theContainerWordIsAnyOfNameIdOrUniqueIdPrefix() throws Exception {
        String byName = commands.show(false, "web");
        assertEquals(byName, commands.show(false, ID));
        assertEquals(byName, commands.show(false, "3f2a1b"));
        assertEquals(byName, commands.show(false, "/web"));
    }

    @Test
    void aWordThatNamesNoContainerIsTheKitsError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.show(false, "nope"));
        assertEquals("no container named nope; running: web", e.getMessage());
    }

    @Test
    void anAmbiguousIdPrefixIsAnErrorThatListsThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.show(false, "3f2a"));
        assertEquals("'3f2a' is the start of 2 containers' ids: web (3f2a1b9c0d12), old (3f2a77000000);"
                + " give more of the id or the name", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> commands.setlimit("3f2a", "memory", "64m"));
        assertEquals(List.of(), limitsSet);
    }

    @Test
    void theHostAndAStoppedContainerAreRefused() {
        assertFails("give a container: the host", () -> commands.show(false, "host"));
        assertFails("old is not running", () -> commands.show(false, "old"));
        assertFails("old is not running", () -> commands.setlimit("3f2a77", "pids", "10"));
        assertEquals(List.of(), limitsSet);
    }

    @Test
    void whatAContainerChoseIsEscapedInTextAndCarriedInJson() throws Exception {
        containers = containers(web(ControlCharacters.HOSTILE, ControlCharacters.HOSTILE));
        String out = commands.show(false, ID);
        ControlCharacters.assertNone(out);
        assertTrue(out.startsWith("x\\x1b[31mRED"), out);
        String json = commands.show(true, ID);
        assertTrue(json.contains("\"name\":\"x\\u001b[31mRED"), json);
        ControlCharacters.assertNoneInJson(json);
        refusal = "refused: " + ControlCharacters.HOSTILE;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.setlimit(ID, "memory", "64m"));
        ControlCharacters.assertNone(e.getMessage());
        assertTrue(e.getMessage().endsWith("memory not changed: refused: x\\x1b[31mRED\\x1b]0;title\\x07\\rCR\\x08BS\\nNL"
                + "\\x9b2J\\u202eRLO\\x00end"), e.getMessage());
    }

    @Test
    void aCgroupPathIsEscaped() throws Exception {
        // A cgroup directory named with an ESC sequence (a container with a writable cgroup may make one).
        String evil = "/docker/" + ID + "/x\u001b[2Jy";
        Files.writeString(proc.resolve(PID + "/cgroup"), String.join("\n",
                "4:memory:" + evil, "3:cpu,cpuacct:/docker/" + ID, "2:pids:/docker/" + ID, "0::/docker/" + ID, ""));
        Files.createDirectories(root.resolve("cgroup/memory" + evil));
        String out = commands.show(false, "web");
        ControlCharacters.assertNone(out);
        assertTrue(out.contains("/x\\x1b[2Jy"), out);
    }

    @Test
    void showAsJson() throws Exception {
        String json = commands.show(true, "3f2a1");
        assertTrue(json.startsWith("{\"id\":\"" + ID + "\",\"name\":\"web\",\"image\":\"busybox:local\","
                + "\"runtime\":\"docker\",\"pid\":4242,\"namespaces\":["), json);
        assertTrue(json.contains("{\"kind\":\"pid\",\"id\":4026532401,\"host\":4026531831,\"shared\":false}"), json);
        assertTrue(json.contains("{\"kind\":\"time\",\"id\":4026531837,\"host\":4026531837,\"shared\":true}"), json);
        assertTrue(json.contains("\"resource\":\"memory\",\"limit\":\"unlimited\""), json);
    }

    @Test
    void setLimitGoesThroughTheContainersAndShowsTheFileBeforeAndAfter() throws Exception {
        String out = commands.setLimitFromArguments(List.of("web", "memory", "64m"));
        assertEquals(List.of("MEMORY 67108864"), limitsSet);
        assertTrue(out.startsWith("web: memory limit unlimited -> 64.0 MiB"), out);
        assertTrue(out.contains(memoryDir.resolve("memory.limit_in_bytes") + ": 9223372036854771712 -> 67108864"), out);
    }

    @Test
    void wrongArgumentsChangeNothing() {
        assertFails("no container named nope; running: web", () -> commands.setlimit("nope", "memory", "64m"));
        assertFails("unknown limit 'disk'", () -> commands.setlimit("web", "disk", "64m"));
        assertFails("bad memory value 'lots'", () -> commands.setlimit("web", "memory", "lots"));
        assertFails("usage: ns:set-limit", () -> commands.setLimitFromArguments(List.of("web", "memory")));
        assertFails("no container named nope", () -> commands.show(false, "nope"));
        refusal = "Minimum memory limit allowed is 6MB";
        assertFails("web: memory not changed: Minimum memory limit allowed is 6MB", () -> commands.setlimit("web", "memory", "1k"));
        assertEquals(List.of(), limitsSet.stream().filter(c -> !c.equals("MEMORY 1024")).toList());
    }

    @Test
    void aStoppedTrackerSaysSo() {
        NamespaceCommands stopped = new NamespaceCommands(Optional::empty, proc, () -> null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stopped.show(false, "web"));
        assertEquals("the namespace tracker is not running (tracker:start namespace)", e.getMessage());
    }

    private static void assertFails(String message, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static Path write(Path dir, Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
        return dir;
    }

    /**
     * {@code running} and a stopped container whose id starts as web's; setLimit writes
     * memory.limit_in_bytes as the daemon would, or refuses with {@link #refusal}.
     */
    private TestContainers containers(Container running) {
        Path memoryLimit = memoryDir.resolve("memory.limit_in_bytes");
        Container old = new Container(new ContainerRef("3f2a77" + "0".repeat(58), "old", "alpine", "docker", Map.of(), "", ""),
                0, 78, "", 0, 0, 0, false, null);
        return TestContainers.of(running, old).onSetLimit((nameOrId, limit, value) -> {
            limitsSet.add(limit + " " + value);
            if (refusal != null) {
                throw new IllegalStateException(refusal);
            }
            try {
                Files.writeString(memoryLimit, value + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The running container with pid {@link #PID} and id {@link #ID}. */
    private static Container web(String name, String image) {
        return new Container(new ContainerRef(ID, name, image, "docker", Map.of(), "", ""), PID, 77, "/docker/" + ID,
                0, 0, 0, true, null);
    }
}
