package dev.apiary.tracker.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.KernelBpfObjects;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.bpf.testing.RequiresDocker;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * xdp.bpf.o loaded for real (no OSGi) and driven through {@link XdpTracker}, with two busybox
 * containers on Docker's default bridge: pings and a TCP transfer between them, a drop rule,
 * a capture written to pcap and read back by tcpdump, and the programs gone from every
 * interface after detach, container removal and stop. Containers come from {@code docker
 * inspect} instead of core's directory. The same tests run for each {@link Hook} a subclass
 * names; what only one hook has is in its subclass.
 */
@RequiresBpf
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class PacketTrackerBpfTest {

    static final Path OBJECT = Path.of("target/classes/bpf/xdp.bpf.o");
    final String prefix = "apiary-xdp-test-" + UUID.randomUUID().toString().substring(0, 8);
    final String A = prefix + "-a", B = prefix + "-b", C = prefix + "-c", HOSTNET = prefix + "-hostnet";

    BpfObject obj;
    XdpTracker tracker;
    RingBuffer ring;
    XdpDecoder decoder;
    String ipA, ipB;

    @TempDir
    Path dir;

    /** Where this class attaches. */
    abstract Hook hook();

    @BeforeAll
    void load() throws Exception {
        docker("run", "-d", "--name", A, "busybox:local", "sleep", "300");
        docker("run", "-d", "--name", B, "busybox:local", "sleep", "300");
        ipA = docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", A);
        ipB = docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", B);
        obj = BpfObject.open(OBJECT);
        tracker = new XdpTracker(TestConfig.defaults(XdpTracker.Config.class));
        tracker.configure(obj);
        obj.load();
        decoder = EventDecoder.checkLayouts(tracker.decoder(), obj);
        tracker.start(obj, dockerContainers());
        ring = obj.ringBuffer();
    }

    @AfterAll
    void close() throws Exception {
        try {
            if (tracker != null) {
                tracker.stop();
            }
            if (ring != null) {
                ring.close();
            }
            if (obj != null) {
                obj.close();
            }
        } finally {
            run("docker", "rm", "-f", A, B, C, HOSTNET);
            run("ip", "link", "del", prefix.substring(prefix.length() - 8) + "x0");
        }
    }

    @Test
    @Order(1)
    void pingsAreCountedOnBothSidesOfBothContainersInTheirDirections() throws Exception {
        Attachment a = tracker.attach(A, hook());
        Attachment b = tracker.attach(B, hook());
        assertEquals(2, a.ports().size(), a.toString());
        assertEquals(hook(), a.hook());
        Map<Integer, Integer> linked = KernelBpfObjects.programsOfLinks();
        for (Port p : a.ports()) {
            assertEquals(obj.program(p.side().program(hook())).id(), linked.get(p.link().id()), "the kernel's link of " + p);
        }
        long before = icmp(a, Side.HOST);

        docker("exec", A, "ping", "-c", "3", "-i", "0.2", "-W", "1", ipB);

        // A sent 3 echo requests (host end of A) which B received (B's eth0); B sent 3 replies, A received them.
        assertEquals(3, flowPackets(a, Side.HOST, ipA, ipB, 8), "echo requests sent by A");
        assertEquals(3, flowPackets(b, Side.INNER, ipA, ipB, 8), "echo requests received by B");
        assertEquals(3, flowPackets(b, Side.HOST, ipB, ipA, 0), "echo replies sent by B");
        assertEquals(3, flowPackets(a, Side.INNER, ipB, ipA, 0), "echo replies received by A");
        assertTrue(icmp(a, Side.HOST) - before >= 3, "ICMP class of A's sent packets");
        assertTrue(icmp(b, Side.INNER) >= 3 && icmp(b, Side.HOST) >= 3 && icmp(a, Side.INNER) >= 3);
        XdpKernel.Counts counts = tracker.kernel().counts(Side.HOST, a.index(Side.HOST));
        assertTrue(counts.packets()[0] >= 3 && counts.bytes()[0] >= 3 * 98, "IPv4 packets and bytes: " + List.of(counts));
    }

    @Test
    @Order(2)
    void aTcpTransferIsTheTopFlowWithItsPortsAndBytes() throws Exception {
        Attachment a = tracker.find(A).orElseThrow();
        // The listener's stdin stays open: busybox nc stops when its stdin ends.
        docker("exec", "-d", B, "sh", "-c", "/bin/busybox sleep 30 | /bin/busybox nc -l -p 5001 > /dev/null");
        Thread.sleep(300);
        docker("exec", A, "sh", "-c", "/bin/busybox dd if=/dev/zero bs=1024 count=1024 2>/dev/null | /bin/busybox nc " + ipB + " 5001");
        XdpKernel.Flow top = topSent(a);
        for (int i = 0; i < 30 && top.bytes() < 1 << 20; i++) { // the last segments may still be on their way
            Thread.sleep(100);
            top = topSent(a);
        }
        assertEquals(6, top.proto());
        assertEquals(5001, top.dport());
        assertTrue(top.sport() > 1024, "ephemeral source port " + top.sport());
        assertEquals(ipA, PacketHeaders.address(top.src()));
        assertEquals(ipB, PacketHeaders.address(top.dst()));
        assertTrue(top.bytes() >= 1 << 20 && top.bytes() < (1 << 20) * 11 / 10, "1 MiB and headers: " + top.bytes());
        if (hook() == Hook.TC) {
            // tc sees A's GSO packets whole and counts the segments each goes out as (generic XDP counts one packet).
            assertTrue(top.packets() >= (1 << 20) / 1500, "a packet per segment of at most 1500 bytes: " + top.packets());
        }
    }

    @Test
    @Order(3)
    void aDropRuleStopsThePingsAndCountsThemUntilItIsRemoved() throws Exception {
        Attachment b = tracker.find(B).orElseThrow();
        RuleEntry rule = tracker.addRule(b, Rule.parse("icmp from " + ipA));
        assertNotEquals(0, run("docker", "exec", A, "ping", "-c", "2", "-i", "0.2", "-W", "1", ipB).exit(), "pings are dropped");
        assertTrue(tracker.kernel().hits(rule.slot()) >= 2, "hits " + tracker.kernel().hits(rule.slot()));
        // The rule is B's: A's pings to the bridge's gateway still go.
        assertEquals(0, run("docker", "exec", A, "ping", "-c", "1", "-W", "1", ipB.replaceAll("\\.\\d+$", ".1")).exit());

        assertTrue(tracker.removeRule(b, Rule.parse("icmp from " + ipA)));
        assertEquals(0, run("docker", "exec", A, "ping", "-c", "2", "-i", "0.2", "-W", "1", ipB).exit(), "pings pass again");
    }

    @Test
    @Order(4)
    void aCaptureSamplesMatchingPacketsAndWritesAPcapThatTcpdumpReads() throws Exception {
        Attachment a = tracker.find(A).orElseThrow();
        List<PacketEvent> packets = new CopyOnWriteArrayList<>();
        ring.poll(Duration.ZERO, r -> { }); // what earlier tests left
        try (Capture c = tracker.startCapture(a, Rule.parse("icmp"))) {
            docker("exec", A, "ping", "-c", "3", "-i", "0.2", "-W", "1", ipB);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (packets.size() < 5 && System.nanoTime() < deadline) {
                ring.poll(Duration.ofMillis(50), r -> {
                    PacketEvent p = (PacketEvent) decoder.decode(r, EventHeader.read(r), ContainerRef.HOST);
                    // "icmp" takes ICMPv6 too: a container that has just come up on the bridge
                    // (B, or anyone's) sends router solicitations that A receives.
                    if (!p.protocol().equals("icmpv6")) {
                        packets.add(p);
                    }
                });
            }
        }
        assertTrue(packets.size() >= 5, "6 ICMP packets sampled: " + packets);
        List<PacketEvent> five = packets.subList(0, 5);
        for (PacketEvent p : five) {
            assertEquals("icmp", p.protocol(), p.toString());
            assertEquals(A, p.container().name());
            assertEquals(98, p.length());
            assertEquals(98, p.capturedLength());
            assertTrue(p.info().startsWith("echo"), p.info());
        }
        assertTrue(five.stream().anyMatch(p -> p.direction().equals("sent") && p.src().equals(ipA) && p.info().startsWith("echo request")));
        assertTrue(five.stream().anyMatch(p -> p.direction().equals("received") && p.src().equals(ipB) && p.info().startsWith("echo reply")));

        Path pcap = dir.resolve("five.pcap");
        try (PcapWriter w = new PcapWriter(pcap, XdpLayouts.SNAP)) {
            for (PacketEvent p : five) {
                w.write(Instant.now(), p.bytes(), p.length());
            }
        }
        Result read = run("tcpdump", "-n", "-r", pcap.toString());
        assertEquals(0, read.exit(), read.toString());
        List<String> lines = read.out().lines().toList();
        assertEquals(5, lines.size(), read.toString());
        assertTrue(lines.stream().allMatch(l -> l.contains("ICMP echo")), read.toString());

        // No capture running: nothing more is sampled.
        docker("exec", A, "ping", "-c", "1", "-W", "1", ipB);
        List<Object> after = new ArrayList<>();
        ring.poll(Duration.ofMillis(100), r -> after.add(r));
        assertEquals(List.of(), after);
    }

    @Test
    @Order(5)
    void badTargetsAreRefusedAndNothingChanges() throws Exception {
        int attached = tracker.attachments().size();
        assertEquals("no container or host network interface named 'no-such-thing' (apiary:containers lists containers, ip link the interfaces)",
                assertThrows(IllegalArgumentException.class, () -> tracker.attach("no-such-thing", hook())).getMessage());
        docker("run", "-d", "--network", "host", "--name", HOSTNET, "busybox:local", "sleep", "300");
        String hostNet = assertThrows(IllegalArgumentException.class, () -> tracker.attach(HOSTNET, hook())).getMessage();
        assertTrue(hostNet.contains("uses the host's network"), hostNet);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> tracker.attach(A, hook())).getMessage()
                .contains("already attached"));
        assertEquals(attached, tracker.attachments().size());
    }

    @Test
    @Order(7)
    void detachRemovalAndStopLeaveNoProgramAnywhere() throws Exception {
        Attachment a = tracker.find(A).orElseThrow();
        Attachment b = tracker.find(B).orElseThrow();
        List<Integer> linksOfA = linkIds(a);
        tracker.detach(A);
        for (Port p : a.ports()) {
            assertFalse(p.link().isOpen());
        }
        assertTrue(Collections.disjoint(linksOfA, KernelBpfObjects.linkIds()), "A's links gone from the kernel");
        assertNotAttached(a);
        assertFalse(tracker.kernel().registered(Side.HOST, a.index(Side.HOST)));

        List<Integer> linksOfB = linkIds(b);
        run("docker", "rm", "-f", B);
        // The reaper thread (every second) may have released it already while docker removed it.
        List<Attachment> reaped = tracker.reapOnce();
        assertTrue(reaped.equals(List.of(b)) || reaped.isEmpty() && !tracker.attachments().contains(b),
                "B released when it went away: " + reaped + ", attached: " + tracker.attachments());
        assertTrue(Collections.disjoint(linksOfB, KernelBpfObjects.linkIds()), "B's links gone from the kernel");

        Attachment again = tracker.attach(A, hook());
        assertEquals(2, ourLinks().size(), "A attached again: " + ourLinks());
        tracker.stop();
        assertEquals(Map.of(), ourLinks(), "no link of the tracker's programs anywhere after stop");
        assertNotAttached(again);
        tracker.start(obj, dockerContainers()); // for close()
    }

    /** What else, beside the kernel's links, says that an attachment's programs are gone. */
    abstract void assertNotAttached(Attachment a) throws Exception;

    // ---- helpers -------------------------------------------------------------------------

    XdpKernel.Flow topSent(Attachment a) {
        return tracker.kernel().flows().stream()
                .filter(f -> f.side() == Side.HOST && f.ifindex() == a.index(Side.HOST))
                .max((x, y) -> Long.compare(x.bytes(), y.bytes())).orElseThrow();
    }

    long icmp(Attachment a, Side side) {
        return tracker.kernel().counts(side, a.index(side)).packets()[6];
    }

    long flowPackets(Attachment a, Side side, String src, String dst, int icmpType) {
        return tracker.kernel().flows().stream()
                .filter(f -> f.side() == side && f.ifindex() == a.index(side) && f.proto() == 1
                        && PacketHeaders.address(f.src()).equals(src) && PacketHeaders.address(f.dst()).equals(dst)
                        && (f.sport() >> 8) == icmpType)
                .mapToLong(XdpKernel.Flow::packets).sum();
    }

    /** Interfaces of the host with an XDP program, by name, with the program id: from {@code ip -d link}. */
    static Map<String, Integer> xdpPrograms() throws Exception {
        Map<String, Integer> found = new java.util.HashMap<>();
        String name = null;
        for (String line : run("ip", "-d", "link").out().lines().toList()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\d+: ([^:@]+)[:@]").matcher(line);
            if (m.find()) {
                name = m.group(1);
            }
            java.util.regex.Matcher x = java.util.regex.Pattern.compile("prog/xdp id (\\d+)").matcher(line);
            if (x.find() && name != null) {
                found.put(name, Integer.parseInt(x.group(1)));
            }
        }
        return found;
    }

    /** The kernel's links, by id, of this test's programs (every tc and XDP one of the object): from every process. */
    Map<Integer, Integer> ourLinks() {
        Set<Integer> ours = new HashSet<>();
        for (String name : List.of("tc_host", "tc_inner", "xdp_host", "xdp_inner", "xdp_host_mb", "xdp_inner_mb")) {
            ours.add(obj.program(name).id());
        }
        Map<Integer, Integer> found = new TreeMap<>(KernelBpfObjects.programsOfLinks());
        found.values().retainAll(ours);
        return found;
    }

    static List<Integer> linkIds(Attachment a) {
        return a.ports().stream().map(p -> p.link().id()).toList();
    }

    record Result(int exit, String out, String err) {
    }

    static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    static String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Result r = run(cmd.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + r);
        }
        return r.out().trim();
    }

    /**
     * Containers as core's directory would find them: asked of Docker ({@code docker inspect}) at
     * each call, since the containers this test starts, removes and stops are the real ones.
     */
    static TestContainers dockerContainers() {
        return TestContainers.of().onFind(PacketTrackerBpfTest::inspect);
    }

    /** The container {@code docker inspect} says {@code nameOrId} is, if any. */
    static Optional<Container> inspect(String nameOrId) {
        try {
            Result r = run("docker", "inspect", "-f", "{{.Id}} {{.Name}} {{.State.Pid}} {{.State.Running}}", nameOrId);
            if (r.exit() != 0 || nameOrId.isEmpty()) {
                return Optional.empty();
            }
            String[] f = r.out().trim().split(" ");
            ContainerRef ref = new ContainerRef(f[0], f[1].substring(1), "busybox:local", "docker", Map.of(), "", "");
            return Optional.of(new Container(ref, Integer.parseInt(f[2]), 0, "", 0, 0, 0, Boolean.parseBoolean(f[3]), null));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
