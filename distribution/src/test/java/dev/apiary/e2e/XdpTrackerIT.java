package dev.apiary.e2e;

import static dev.apiary.e2e.Docker.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The xdp tracker in the assembled runtime, driven with {@code bin/apiary -c} like a user:
 * two busybox containers on the default bridge, attached; pings counted in the right
 * directions; a drop rule that stops them and counts its hits, then lifted; a capture of 5
 * packets written as pcap and read by tcpdump; bad input refused in one line; no XDP program
 * left on any interface after detach, container removal and tracker stop.
 */
@RequiresBpf
@RequiresDocker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XdpTrackerIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path HOME = Path.of(System.getProperty("apiary.assembly", "target/apiary")).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String A = Docker.uniqueName("xdp-a"), B = Docker.uniqueName("xdp-b");

    @TempDir
    static Path dir;
    private static HeadlessRuntime runtime;
    private static String ipA, ipB;

    @BeforeAll
    static void boot() throws Exception {
        assertTrue(Files.isExecutable(HOME.resolve("bin/apiary")), "assembled runtime at " + HOME);
        runtime = HeadlessRuntime.start(HOME, dir);
        ok("run", "-d", "--name", A, "busybox:local", "sleep", "300");
        ok("run", "-d", "--name", B, "busybox:local", "sleep", "300");
        ipA = ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", A);
        ipB = ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", B);
        runtime.awaitTracker("xdp");
    }

    @AfterAll
    static void stop() throws Exception {
        Docker.removeQuietly(A);
        Docker.removeQuietly(B);
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    @Order(1)
    void attachedContainersCountTheirPingsInBothDirections() throws Exception {
        attach(A);
        attach(B);
        ok("exec", A, "ping", "-c", "4", "-i", "0.2", "-W", "1", ipB);
        JsonNode a = stats(A), b = stats(B);
        // Exactly the 4 requests and 4 replies over IPv4 (ICMPv6 neighbour discovery may add to the ICMP class).
        for (JsonNode stats : List.of(a, b)) {
            for (String direction : List.of("sent", "received")) {
                assertEquals(4, count(stats, direction, "ipv4"), direction + " " + stats);
                assertTrue(count(stats, direction, "icmp") >= 4, direction + " " + stats);
            }
        }

        HeadlessRuntime.Result table = runtime.command("xdp:stats " + A);
        assertEquals(0, table.status(), table.toString());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith(A) && l.contains(" sent ")), table.toString());
        HeadlessRuntime.Result live = runtime.command("xdp:stats --count 2 --interval 200ms");
        assertEquals(2, live.out().lines().filter(l -> l.contains("packets/bytes since attach")).count(), live.toString());

        HeadlessRuntime.Result flows = runtime.command("xdp:flows --top 3 " + B);
        assertTrue(flows.out().lines().anyMatch(l -> l.matches("received\\s+icmp\\s+" + ipA.replace(".", "\\.") + "\\s+0\\s+"
                + ipB.replace(".", "\\.") + "\\s+0\\s+4\\s+392")), flows.toString());
    }

    @Test
    @Order(2)
    void aDropRuleStopsThePingsCountsItsHitsAndIsLifted() throws Exception {
        HeadlessRuntime.Result drop = runtime.command("xdp:drop " + B + " icmp from " + ipA);
        assertEquals(0, drop.status(), drop.toString());
        assertNotEquals(0, Docker.docker("exec", A, "ping", "-c", "2", "-i", "0.2", "-W", "1", ipB).status(), "pings dropped");
        JsonNode rules = JSON.readTree(runtime.command("xdp:rules --json " + B).out());
        assertEquals("icmp from " + ipA, rules.get(0).path("rule").asText(), rules.toString());
        assertTrue(rules.get(0).path("hits").asLong() >= 2, rules.toString());

        HeadlessRuntime.Result allow = runtime.command("xdp:allow " + B + " icmp from " + ipA);
        assertEquals(0, allow.status(), allow.toString());
        assertEquals(0, Docker.docker("exec", A, "ping", "-c", "1", "-W", "1", ipB).status(), "pings pass again");
        assertEquals("[]", JSON.readTree(runtime.command("xdp:rules --json").out()).toString());
    }

    @Test
    @Order(3)
    void aCaptureOfFivePacketsIsShownAndWrittenAsPcapThatTcpdumpReads() throws Exception {
        Path pcap = dir.resolve("a.pcap");
        CompletableFuture<HeadlessRuntime.Result> capture = CompletableFuture.supplyAsync(() -> {
            try {
                // An address keeps it to IPv4: "icmp" alone also takes the ICMPv6 router solicitations
                // a container's interface sends now and then.
                String bridge = ipB.substring(0, ipB.indexOf('.', ipB.indexOf('.') + 1)) + ".0.0/16";
                return runtime.command("xdp:capture --count 5 --filter 'icmp to " + bridge + "' --timeout 15 --pcap " + pcap
                        + " " + A);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (!capture.isDone()) {
            Docker.docker("exec", A, "ping", "-c", "2", "-i", "0.2", "-W", "1", ipB);
        }
        HeadlessRuntime.Result r = capture.get();
        assertEquals(0, r.status(), r.toString());
        List<String> packets = r.out().lines().filter(l -> l.contains(" icmp ")).toList();
        assertEquals(5, packets.size(), r.toString());
        assertTrue(packets.stream().allMatch(l -> l.contains("echo")), r.toString());
        HeadlessRuntime.Result read = HeadlessRuntime.run(List.of("tcpdump", "-n", "-r", pcap.toString()), null);
        assertEquals(0, read.status(), read.toString());
        assertEquals(5, read.out().lines().filter(l -> l.contains("ICMP echo")).count(), read.toString());
    }

    @Test
    @Order(4)
    void badInputGetsOneLineAndChangesNothing() throws Exception {
        assertOneLine(runtime.command("xdp:attach no-such-container"), "no container named no-such-container; running: ");
        assertOneLine(runtime.command("xdp:attach --mode turbo " + A), "--mode takes tc, generic, native or auto, not 'turbo'");
        assertOneLine(runtime.command("xdp:drop " + A + " icmp port 80"), "ports need tcp, udp or no protocol");
        assertOneLine(runtime.command("xdp:flows no-such-container"), "no container named no-such-container; running: ");
        assertEquals("[]", JSON.readTree(runtime.command("xdp:rules --json").out()).toString());
    }

    @Test
    @Order(5)
    void detachRemovalAndStopLeaveNoProgram() throws Exception {
        assertEquals(4, trackerLinks().size(), "tc ingress and egress of both host ends: " + trackerLinks());
        HeadlessRuntime.Result detach = runtime.command("xdp:detach " + A);
        assertEquals(0, detach.status(), detach.toString());
        assertEquals(2, trackerLinks().size(), "only B's: " + trackerLinks());
        ok("rm", "-f", B);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while ((!trackerLinks().isEmpty() || runtime.command("xdp:stats").out().contains(B)) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(List.of(), trackerLinks(), "B's attachment released when it went away");
        assertFalse(runtime.command("xdp:stats").out().contains(B));

        // XDP, asked for: on A's host end (ip link shows it) and on its own end, inside its namespace.
        HeadlessRuntime.Result xdp = runtime.command("xdp:attach --mode generic " + A);
        assertEquals(0, xdp.status(), xdp.toString());
        assertTrue(xdp.out().contains("(xdp generic)") && xdp.out().contains("eth0 [received]"), xdp.toString());
        assertEquals(1, xdpInterfaces().size());
        assertEquals(2, trackerLinks().size());
        assertEquals(0, runtime.command("tracker:stop xdp").status());
        assertEquals(List.of(), xdpInterfaces(), "no XDP program left after the tracker stopped");
        assertEquals(List.of(), trackerLinks(), "no link of the tracker's programs left");
    }

    // ---- helpers -------------------------------------------------------------------------

    private static void attach(String name) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HeadlessRuntime.Result r = runtime.command("xdp:attach " + name);
        while (r.status() != 0 && System.nanoTime() < deadline) { // until core's directory knows the container
            Thread.sleep(200);
            r = runtime.command("xdp:attach " + name);
        }
        assertEquals(0, r.status(), r.toString());
        // tc by default: both programs on the container's host end.
        assertTrue(r.out().matches("(?s)attached to " + name + " \\(tc\\): (veth\\w+) \\[sent\\] \\1 \\[received\\]\\s*"), r.toString());
    }

    private static JsonNode stats(String name) throws Exception {
        HeadlessRuntime.Result r = runtime.command("xdp:stats --json " + name);
        assertEquals(0, r.status(), r.toString());
        return JSON.readTree(r.out()).path("attachments");
    }

    private static long count(JsonNode rows, String direction, String protocol) {
        for (JsonNode row : rows) {
            if (row.path("direction").asText().equals(direction)) {
                return row.path("protocols").path(protocol).path("packets").asLong();
            }
        }
        throw new AssertionError("no " + direction + " row in " + rows);
    }

    private static void assertOneLine(HeadlessRuntime.Result r, String contains) {
        assertNotEquals(0, r.status(), r.toString());
        String all = (r.out() + r.err()).strip();
        assertEquals(1, all.lines().count(), r.toString());
        assertTrue(all.contains(contains), r.toString());
    }

    /**
     * The kernel's links (bpftool link list) of the runtime's tc and XDP programs, found by
     * name among all programs (bpftool prog show): what would stay on an interface if a
     * detach forgot one, in the host's namespace or a container's.
     */
    private static List<Integer> trackerLinks() throws Exception {
        Set<String> names = Set.of("tc_host", "tc_inner", "xdp_host", "xdp_inner", "xdp_host_mb", "xdp_inner_mb");
        Set<Integer> programs = new HashSet<>();
        for (JsonNode p : JSON.readTree(HeadlessRuntime.run(List.of("bpftool", "-j", "prog", "show"), null).out())) {
            if (names.contains(p.path("name").asText())) {
                programs.add(p.path("id").asInt());
            }
        }
        List<Integer> links = new ArrayList<>();
        for (JsonNode l : JSON.readTree(HeadlessRuntime.run(List.of("bpftool", "-j", "link", "list"), null).out())) {
            if (programs.contains(l.path("prog_id").asInt())) {
                links.add(l.path("id").asInt());
            }
        }
        return links;
    }

    /** Host interfaces with an XDP program (ip -d link); containers' own ends go with their namespaces. */
    private static List<String> xdpInterfaces() throws Exception {
        HeadlessRuntime.Result r = HeadlessRuntime.run(List.of("ip", "-o", "-d", "link"), null);
        return r.out().lines().filter(l -> l.contains("prog/xdp")).map(l -> l.split(":")[1].trim()).toList();
    }
}
