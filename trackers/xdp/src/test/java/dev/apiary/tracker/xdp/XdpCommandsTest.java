package dev.apiary.tracker.xdp;

import dev.apiary.sdk.EventTypes;
import dev.apiary.sdk.testing.TestConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.testing.ControlCharacters;
import dev.apiary.sdk.testing.TestContainers;
import dev.apiary.sdk.testing.TestEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The xdp: commands over a fake tracker (no BPF): what they print, and what they refuse. */
class XdpCommandsTest {

    static {
        // Its events name their tracker and type from the tracker's declaration, as core binds it.
        EventTypes.bind(new XdpTracker(TestConfig.defaults(XdpTracker.Config.class)));
    }

    private static final ContainerRef WEB = TestContainers.WEB;
    private static final ContainerRef DB = TestContainers.DB;
    /** A running container whose id starts as web's. */
    private static final ContainerRef API = TestContainers.docker("3f2a77", "api", "api:1");

    private final TestContainers containers = TestContainers.running(WEB, DB, API);
    private final TestEvents events = new TestEvents();
    private final FakeXdp xdp = new FakeXdp(containers);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final XdpCommands commands = new XdpCommands(xdp, events, () -> new PrintStream(out, true, StandardCharsets.UTF_8),
            () -> new PrintStream(err, true, StandardCharsets.UTF_8), () -> Instant.parse("2025-01-01T12:00:00Z"));

    private final Attachment web = xdp.attachContainer(WEB, "veth3c1d2e7", 11);
    private final Attachment eth0 = xdp.attachInterface("eth0", 2);

    @TempDir
    Path dir;

    XdpCommandsTest() {
        xdp.counts(web, new long[] {4, 0, 1, 0, 0, 0, 4, 0}, 434);
        xdp.flows.add(flow(Side.INNER, 11, 1, "172.17.0.3", 8 << 8, "172.17.0.2", 0, 4, 392));
        xdp.flows.add(flow(Side.HOST, 11, 6, "172.17.0.2", 80, "172.17.0.3", 40312, 10, 9000));
        xdp.flows.add(flow(Side.HOST, 2, 17, "10.0.0.1", 53, "10.0.0.2", 5353, 1, 80)); // eth0's
    }

    // ---- attach / detach --------------------------------------------------------------------

    @Test
    void attachTakesAContainerByNameIdOrPrefixAndHandsTheTrackerItsFullId() {
        assertEquals("attached to db (tc): vethdb [sent] vethdb [received]", commands.attach("tc", "db"));
        assertEquals(List.of(DB.id()), xdp.attached);
        commands.detach("db");
        commands.attach("tc", "77aa");
        commands.detach("db");
        commands.attach("generic", DB.id());
        assertEquals(List.of(DB.id(), DB.id(), DB.id()), xdp.attached);
        assertEquals(Hook.GENERIC, xdp.attachments().getLast().hook());
    }

    @Test
    void attachTakesAHostInterfaceByName() {
        assertEquals("attached to eth1 (tc): eth1 [in] eth1 [out]", commands.attach("tc", "eth1"));
        assertEquals(List.of("eth1"), xdp.attached);
    }

    @Test
    void attachRefusesAWordThatNamesNothingWithTheKitsText() {
        assertEquals("no container named nosuch; running: api, db, web (or 'host'); nor a host network interface"
                + " (ip link lists them)", refused(() -> commands.attach("tc", "nosuch")));
        assertEquals("'3f2a' is the start of 2 containers' ids: api (3f2a77000000), web (3f2a1b9c0d12); give more of the id"
                + " or the name", refused(() -> commands.attach("tc", "3f2a")));
        assertTrue(refused(() -> commands.attach("tc", "host")).startsWith("'host' is not an interface"));
        assertEquals("--mode takes tc, generic, native or auto, not 'turbo'", refused(() -> commands.attach("turbo", "db")));
        assertEquals(List.of(), xdp.attached);
    }

    @Test
    void aRefusalOfTheTrackerIsMadeSafe() {
        xdp.refusal = "container " + ControlCharacters.HOSTILE + " is not running";
        String message = refused(() -> commands.attach("tc", "db"));
        ControlCharacters.assertNone(message);
        assertTrue(message.startsWith("container x\\x1b[31mRED"), message);
    }

    @Test
    void detachTakesTheAttachmentTheWordNames() {
        assertEquals("detached from web", commands.detach("3f2a1b"));
        assertEquals("detached from eth0", commands.detach("eth0"));
        assertEquals(List.of(), xdp.attachments());
        assertEquals("'db' is not attached (xdp:attach db first; xdp:stats lists the attachments)",
                refused(() -> commands.detach("db")));
    }

    // ---- stats ------------------------------------------------------------------------------

    @Test
    void statsShowsEveryAttachmentEndAsATable() throws Exception {
        commands.stats(false, "1", "1s");
        List<String> lines = lines();
        assertTrue(lines.getFirst().endsWith("  packets/bytes since attach"), lines.getFirst());
        assertEquals(List.of(
                "TARGET  DIR       IFACE        PACKETS  BYTES  IPV4  IPV6  ARP  TCP  UDP  ICMP  OTHER",
                "web     sent      veth3c1d2e7        5    434     4     0    1    0    0     4      0",
                "web     received  veth3c1d2e7        0      0     0     0    0    0    0     0      0",
                "eth0    in        eth0               0      0     0     0    0    0    0     0      0",
                "eth0    out       eth0               0      0     0     0    0    0    0     0      0"), lines.subList(1, lines.size()));
    }

    @Test
    void statsOfOneTargetByItsContainerWordOrInterfaceName() throws Exception {
        for (String word : List.of("web", "/web", "3f2a1b", WEB.id())) {
            commands.stats(false, "1", "1s", word);
            assertEquals(4, lines().size(), word + ": " + lines());
            assertTrue(lines().stream().skip(1).allMatch(l -> l.startsWith("TARGET") || l.startsWith("web ")), lines().toString());
            out.reset();
        }
        commands.stats(false, "1", "1s", "eth0");
        assertTrue(lines().get(2).startsWith("eth0 "), lines().toString());
        out.reset();
        commands.stats(false, "1", "1s", "host"); // every host interface
        assertEquals(4, lines().size(), lines().toString());
        assertTrue(lines().get(2).startsWith("eth0 "), lines().toString());
    }

    @Test
    void statsRefusesWhatIsNotAttachedWithTheKitsText() {
        assertEquals("no container named nosuch; running: api, db, web (or 'host')",
                refused(() -> commands.stats(false, "1", "1s", "nosuch")));
        assertTrue(refused(() -> commands.stats(false, "1", "1s", "3f2a")).startsWith("'3f2a' is the start of 2 containers' ids"));
        assertEquals("'db' is not attached (xdp:attach db first; xdp:stats lists the attachments)",
                refused(() -> commands.stats(false, "1", "1s", "db")));
        assertEquals("'eth1' is not attached (xdp:attach eth1 first; xdp:stats lists the attachments)",
                refused(() -> commands.stats(false, "1", "1s", "eth1")));
        assertTrue(refused(() -> commands.stats(false, "1", "1s", "web", "db")).startsWith("give one container"));
    }

    @Test
    void statsRefusesABadCountOrIntervalWithTheKitsText() {
        assertEquals("--count: 'x' is not a count; give a whole number, 0 for no limit", refused(() -> commands.stats(false, "x", "1s")));
        assertEquals("--interval: '5x' is not a duration; give e.g. 500ms, 2s or 1m", refused(() -> commands.stats(false, "1", "5x")));
    }

    @Test
    void statsRefreshesCountTimes() throws Exception {
        commands.stats(false, "3", "1ms", "web");
        assertEquals(3, lines().stream().filter(l -> l.endsWith("packets/bytes since attach")).count(), out.toString());
    }

    @Test
    void statsAsJsonHasTheContainerAsEveryJsonDoes() throws Exception {
        commands.stats(true, "1", "1s");
        String json = out.toString(StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"attachments\":[{\"target\":\"web\",\"container\":{\"id\":\"" + WEB.id()
                + "\",\"name\":\"web\",\"image\":\"nginx:1.27\",\"runtime\":\"docker\"},\"direction\":\"sent\","
                + "\"iface\":\"veth3c1d2e7\",\"ifindex\":11,\"packets\":5,\"bytes\":434,\"protocols\":{"), json);
        assertTrue(json.contains("{\"target\":\"eth0\",\"container\":null,\"direction\":\"in\""), json);
    }

    @Test
    void aStoppedTrackerIsSaidSo() {
        xdp.running = false;
        assertEquals("the xdp tracker is not running (tracker:start xdp)", refused(() -> commands.stats(false, "1", "1s")));
        assertEquals("the xdp tracker is not running (tracker:start xdp)", refused(() -> commands.attach("tc", "web")));
    }

    // ---- flows ------------------------------------------------------------------------------

    @Test
    void flowsOfOneAttachmentByBytes() {
        commands.flows(false, "10", "web");
        assertEquals(List.of(
                "DIR       PROTO  SRC         SPORT  DST         DPORT  PACKETS  BYTES",
                "sent      tcp    172.17.0.2     80  172.17.0.3  40312       10   9000",
                "received  icmp   172.17.0.3      0  172.17.0.2      0        4    392"), lines());
        out.reset();
        commands.flows(false, "1", "web");
        assertEquals(2, lines().size());
        out.reset();
        commands.flows(false, "10", "eth0");
        assertTrue(lines().get(1).startsWith("in   udp    10.0.0.1"), lines().toString());
    }

    @Test
    void flowsAsJson() {
        commands.flows(true, "10", "web");
        String json = out.toString(StandardCharsets.UTF_8).strip();
        assertTrue(json.startsWith("{\"target\":\"web\",\"container\":{\"id\":\"" + WEB.id() + "\""), json);
        assertTrue(json.contains("{\"direction\":\"received\",\"protocol\":\"icmp\",\"src\":\"172.17.0.3\",\"sport\":0,"
                + "\"dst\":\"172.17.0.2\",\"dport\":0,\"icmp_type\":8,\"packets\":4,\"bytes\":392}"), json);
    }

    @Test
    void flowsRefuseABadTopOrTarget() {
        assertEquals("--top: 'x' is not a whole number from 1 to 100000", refused(() -> commands.flows(false, "x", "web")));
        assertEquals("--top: '0' is not a whole number from 1 to 100000", refused(() -> commands.flows(false, "0", "web")));
        assertEquals("no container named nosuch; running: api, db, web (or 'host')", refused(() -> commands.flows(false, "10", "nosuch")));
        assertTrue(refused(() -> commands.flows(false, "10", "host")).startsWith("'host' is not one attachment: give the host"
                + " interface's name (attached: eth0)"));
    }

    @Test
    void noFlowsYetSaysSo() {
        xdp.flows.clear();
        commands.flows(false, "10", "web");
        assertEquals(List.of("no flow seen yet on web"), lines());
    }

    // ---- capture ----------------------------------------------------------------------------

    @Test
    void captureShowsTheAttachmentsSampledPacketsAndWritesThemAsPcap() throws Exception {
        Path pcap = dir.resolve("web.pcap");
        xdp.onCapture = () -> events.publish(
                packet(WEB, "veth3c1d2e7", "sent", "icmp", "172.17.0.2", 0, "172.17.0.3", 0, "echo request id 1 seq 1"),
                packet(ContainerRef.HOST, "eth0", "in", "udp", "10.0.0.1", 53, "10.0.0.2", 5353, "not web's"),
                packet(WEB, "veth3c1d2e7", "received", "tcp", "172.17.0.3", 40312, "172.17.0.2", 80, "[S] seq 1804"));
        commands.capture(false, "2", "icmp", pcap.toString(), "5s", "web");
        List<String> lines = lines();
        assertEquals("TIME          DIR        PROTO     LEN  PACKET", lines.get(0));
        assertTrue(lines.get(1).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  sent       icmp       74  172\\.17\\.0\\.2 > 172\\.17\\.0\\.3"
                + " echo request id 1 seq 1"), lines.get(1));
        assertTrue(lines.get(2).endsWith("  received   tcp        74  172.17.0.3:40312 > 172.17.0.2:80 [S] seq 1804"), lines.get(2));
        assertEquals(3, lines.size());
        assertEquals(Rule.parse("icmp"), xdp.captureFilter);
        assertFalse(xdp.capturing, "sampling stopped");
        assertEquals(0, events.open(), "the tail is closed");
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        byte[] file = Files.readAllBytes(pcap);
        assertEquals(24 + 2 * (16 + 4), file.length, "the file header and two records of 4 bytes");
    }

    @Test
    void captureAsJsonIsTheOneEventShape() throws Exception {
        xdp.onCapture = () -> events.publish(packet(WEB, "veth3c1d2e7", "sent", "icmp", "172.17.0.2", 0, "172.17.0.3", 0, "echo"));
        commands.capture(true, "1", "", "", "5s", "web");
        String json = out.toString(StandardCharsets.UTF_8).strip();
        assertTrue(json.matches("\\{\"time\":\"[^\"]+\",\"tracker\":\"xdp\",\"type\":\"packet\",\"container\":\\{\"id\":\""
                + WEB.id() + "\",\"name\":\"web\".*"), json);
        assertTrue(json.contains("\"iface\":\"veth3c1d2e7\",\"direction\":\"sent\",\"length\":74,\"captured_length\":4,"
                + "\"protocol\":\"icmp\""), json);
        assertEquals(Rule.ANY, xdp.captureFilter);
    }

    @Test
    void aCaptureThatTimesOutSaysHowManyItTook() throws Exception {
        xdp.onCapture = () -> events.publish(packet(WEB, "veth3c1d2e7", "sent", "icmp", "172.17.0.2", 0, "172.17.0.3", 0, "echo"));
        commands.capture(false, "3", "", "", "200ms", "web");
        assertEquals(2, lines().size());
        assertEquals("only 1 of 3 packets in 200ms\n", err.toString(StandardCharsets.UTF_8));
        assertEquals(0, events.open());
    }

    @Test
    void captureRefusesBadOptions() {
        assertEquals("--count: 'ten' is not a count; give a whole number, 0 for no limit",
                refused(() -> commands.capture(false, "ten", "", "", "30s", "web")));
        assertEquals("--timeout: '1y' is not a duration; give e.g. 500ms, 2s or 1m",
                refused(() -> commands.capture(false, "1", "", "", "1y", "web")));
        assertEquals("'db' is not attached (xdp:attach db first; xdp:stats lists the attachments)",
                refused(() -> commands.capture(false, "1", "", "", "30s", "db")));
        assertFalse(xdp.capturing);
        assertEquals(0, events.open());
    }

    // ---- rules ------------------------------------------------------------------------------

    @Test
    void dropAllowAndRules() {
        assertEquals("rule 0 on web: drop icmp from 172.17.0.3", commands.drop("web", "icmp", "from", "172.17.0.3"));
        assertEquals("rule 1 on eth0: drop tcp dport 22", commands.drop("eth0", "tcp", "dport", "22"));
        xdp.hits.put(0, 7L);
        commands.rules(false);
        assertEquals(List.of(
                "ID  TARGET  HITS  DROP",
                " 0  web        7  icmp from 172.17.0.3",
                " 1  eth0       0  tcp dport 22"), lines());
        out.reset();
        commands.rules(false, "host");
        assertEquals(List.of("ID  TARGET  HITS  DROP", " 1  eth0       0  tcp dport 22"), lines());
        out.reset();
        commands.rules(true, "web");
        assertEquals("[{\"id\":0,\"target\":\"web\",\"container\":{\"id\":\"" + WEB.id() + "\",\"name\":\"web\",\"image\":"
                + "\"nginx:1.27\",\"runtime\":\"docker\"},\"rule\":\"icmp from 172.17.0.3\",\"hits\":7}]",
                out.toString(StandardCharsets.UTF_8).strip());

        assertEquals("removed rule 'icmp from 172.17.0.3' from web", commands.allow("3f2a1b", "icmp", "from", "172.17.0.3"));
        assertEquals("web has no rule 'icmp from 172.17.0.3' (xdp:rules lists them)",
                refused(() -> commands.allow("web", "icmp", "from", "172.17.0.3")));
        out.reset();
        commands.rules(false, "web");
        assertEquals(List.of("no drop rules on web"), lines());
        assertEquals("malformed rule 'icmp port 80': ports need tcp, udp or no protocol",
                refused(() -> commands.drop("web", "icmp", "port", "80")));
    }

    // ---- hostile names ----------------------------------------------------------------------

    @Test
    void whatAContainerChoseIsEscapedInTextAndCarriedInJson() throws Exception {
        ContainerRef evil = TestContainers.docker("e0e0", ControlCharacters.HOSTILE, ControlCharacters.HOSTILE);
        containers.add(evil, true);
        String attached = commands.attach("tc", "e0e0");
        ControlCharacters.assertNone(attached);
        assertTrue(attached.startsWith("attached to x\\x1b[31mRED"), attached);
        Attachment a = xdp.attachments().getLast();
        xdp.counts(a, new long[] {1, 0, 0, 0, 1, 0, 0, 0}, 60);
        xdp.flows.add(flow(Side.HOST, a.index(Side.HOST), 6, "172.17.0.9", 1, "172.17.0.2", 2, 1, 60));
        xdp.onCapture = () -> events.publish(packet(evil, a.ports().getFirst().name(), "sent", "tcp", "172.17.0.9", 1,
                "172.17.0.2", 2, ControlCharacters.HOSTILE));
        commands.drop("e0e0", "tcp");

        commands.stats(false, "1", "1s");
        commands.stats(false, "1", "1s", "e0e0");
        commands.flows(false, "10", "e0e0");
        commands.rules(false);
        commands.capture(false, "1", "", "", "5s", "e0e0");
        String text = out.toString(StandardCharsets.UTF_8);
        ControlCharacters.assertNone(text);
        assertTrue(text.contains("x\\x1b[31mRED"), text);
        assertTrue(text.contains("\\x1b]0;title\\x07\\rCR\\x08BS\\nNL\\x9b2J\\u202eRLO\\x00end"), text);

        out.reset();
        commands.stats(true, "1", "1s", "e0e0");
        commands.rules(true, "e0e0");
        commands.capture(true, "1", "", "", "5s", "e0e0");
        String json = out.toString(StandardCharsets.UTF_8);
        ControlCharacters.assertNone(json);
        assertTrue(json.contains("\"target\":\"x\\u001b[31mRED"), json);
        assertTrue(json.contains("\"info\":\"x\\u001b[31mRED"), json);
        assertEquals(3, json.lines().count(), json);

        String detached = commands.detach("e0e0");
        ControlCharacters.assertNone(detached);
        assertTrue(detached.startsWith("detached from x\\x1b[31mRED"), detached);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static String refused(ThrowingRunnable r) {
        RuntimeException e = assertThrows(RuntimeException.class, r::run);
        assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException, e.toString());
        return e.getMessage();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static PacketEvent packet(ContainerRef c, String iface, String direction, String protocol, String src, int sport,
            String dst, int dport, String info) {
        return new PacketEvent(TestEvents.header(0, "", 1_000_000_000L), c, iface, direction, 74, 4, protocol, src, dst, sport,
                dport, info, HexFormat.of().formatHex(new byte[] {1, 2, 3, 4}));
    }

    static XdpKernel.Flow flow(Side side, int ifindex, int proto, String src, int sport, String dst, int dport,
            long packets, long bytes) {
        return new XdpKernel.Flow(side, ifindex, proto, 2, mapped(src), sport, mapped(dst), dport, packets, bytes);
    }

    private static byte[] mapped(String v4) {
        byte[] a = new byte[16];
        a[10] = (byte) 0xff;
        a[11] = (byte) 0xff;
        String[] parts = v4.split("\\.");
        for (int i = 0; i < 4; i++) {
            a[12 + i] = (byte) Integer.parseInt(parts[i]);
        }
        return a;
    }

    /** The tracker without the kernel: attachments, counters, flows and rules as the test sets them. */
    static final class FakeXdp implements XdpBackend {
        private final Containers containers;
        private final List<Attachment> attachments = new CopyOnWriteArrayList<>();
        private final Map<String, XdpKernel.Counts> counts = new HashMap<>();
        final List<XdpKernel.Flow> flows = new ArrayList<>();
        final List<String> attached = new ArrayList<>();
        final Map<Integer, Long> hits = new HashMap<>();
        private final List<RuleEntry> rules = new ArrayList<>();
        private final Set<String> interfaces = Set.of("eth0", "eth1");
        private int nextIndex = 20;
        boolean running = true;
        String refusal;
        Runnable onCapture = () -> { };
        Rule captureFilter;
        boolean capturing;

        FakeXdp(Containers containers) {
            this.containers = containers;
        }

        Attachment attachContainer(ContainerRef c, String veth, int index) {
            Attachment a = new Attachment(c, "", 100, 4026534000L, Hook.TC,
                    List.of(new Port(Side.HOST, index, veth, null), new Port(Side.INNER, index, veth, null)));
            attachments.add(a);
            return a;
        }

        Attachment attachInterface(String name, int index) {
            Attachment a = new Attachment(null, name, 0, 0, Hook.TC,
                    List.of(new Port(Side.HOST, index, name, null), new Port(Side.INNER, index, name, null)));
            attachments.add(a);
            return a;
        }

        void counts(Attachment a, long[] packets, long bytes) {
            long[] b = new long[8];
            b[0] = bytes;
            counts.put(Side.HOST + "/" + a.index(Side.HOST), new XdpKernel.Counts(packets, b));
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public Containers containers() {
            return containers;
        }

        @Override
        public List<Attachment> attachments() {
            return List.copyOf(attachments);
        }

        @Override
        public Attachment attach(String word, Hook hook) {
            if (refusal != null) {
                throw new IllegalArgumentException(refusal);
            }
            attached.add(word);
            Attachment a = containers.list().stream().filter(c -> c.ref().id().equals(word)).findFirst()
                    .map(c -> new Attachment(c.ref(), "", c.pid(), 0, hook,
                            List.of(new Port(Side.HOST, nextIndex, "veth" + c.ref().name(), null),
                                    new Port(Side.INNER, nextIndex++, "veth" + c.ref().name(), null))))
                    .orElseGet(() -> new Attachment(null, word, 0, 0, hook,
                            List.of(new Port(Side.HOST, nextIndex, word, null), new Port(Side.INNER, nextIndex++, word, null))));
            attachments.add(a);
            return a;
        }

        @Override
        public Attachment detach(Attachment a) {
            attachments.remove(a);
            rules.removeIf(e -> e.attachment() == a);
            return a;
        }

        @Override
        public XdpKernel.Counts counts(Side side, int ifindex) {
            return counts.getOrDefault(side + "/" + ifindex, new XdpKernel.Counts(new long[8], new long[8]));
        }

        @Override
        public List<XdpKernel.Flow> flows() {
            return List.copyOf(flows);
        }

        @Override
        public List<RuleEntry> rules() {
            return List.copyOf(rules);
        }

        @Override
        public long hits(int slot) {
            return hits.getOrDefault(slot, 0L);
        }

        @Override
        public RuleEntry addRule(Attachment a, Rule rule) {
            RuleEntry e = new RuleEntry(rules.size(), a, rule);
            rules.add(e);
            return e;
        }

        @Override
        public boolean removeRule(Attachment a, Rule rule) {
            return rules.removeIf(e -> e.attachment() == a && e.rule().equals(rule));
        }

        @Override
        public Capture startCapture(Attachment a, Rule filter) {
            captureFilter = filter;
            capturing = true;
            onCapture.run(); // the packets the programs sample now
            return () -> capturing = false;
        }

        @Override
        public boolean hostInterface(String name) {
            return interfaces.contains(name);
        }
    }
}
