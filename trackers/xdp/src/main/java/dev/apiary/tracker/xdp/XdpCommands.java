package dev.apiary.tracker.xdp;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.Subscription;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code xdp:} commands: attach and detach, stats, flows, capture, drop/allow/rules.
 * Every wrong argument is refused with one line before anything changes.
 */
@Component(service = XdpCommands.class, property = {
    "osgi.command.scope=xdp",
    "osgi.command.function=attach",
    "osgi.command.function=detach",
    "osgi.command.function=stats",
    "osgi.command.function=flows",
    "osgi.command.function=capture",
    "osgi.command.function=drop",
    "osgi.command.function=allow",
    "osgi.command.function=rules"})
public final class XdpCommands {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final int CAPTURE_QUEUE = 4096;

    private final XdpTracker tracker;
    private final Events events;
    private final Supplier<PrintStream> out;

    @Activate
    public XdpCommands(@Reference(name = "tracker") XdpTracker tracker, @Reference(name = "events") Events events) {
        this(tracker, events, () -> System.out);
    }

    XdpCommands(XdpTracker tracker, Events events, Supplier<PrintStream> out) {
        this.tracker = tracker;
        this.events = events;
        this.out = out;
    }

    // ---- attach / detach -------------------------------------------------------------------

    @Descriptor("attach the tracker's programs to a container's veth pair (both directions) or to a host interface")
    public String attach(
            @Descriptor("tc (default: on the host end's tcx hooks, no copy per packet), or XDP: generic (every interface,"
                    + " copies each packet), native (in the driver; on veth it turns off GSO) or auto")
            @Parameter(names = {"-m", "--mode"}, absentValue = "tc") String mode,
            @Descriptor("a container name, id or id prefix (3+ characters), or a host interface name") String target) {
        Hook hook = Hook.parse(mode);
        Attachment a = tracker.attach(target, hook);
        StringBuilder sb = new StringBuilder("attached to " + a.target() + " (" + (hook.isXdp() ? "xdp " : "") + hook.word() + "):");
        for (Port p : a.ports()) {
            sb.append(' ').append(p.name()).append(" [").append(p.side().direction(a.isContainer())).append(']');
        }
        return sb.toString();
    }

    @Descriptor("take the tracker's programs off a container or host interface; its counters and rules go too")
    public String detach(@Descriptor("a container name, id or id prefix, or a host interface name") String target) {
        Attachment a = tracker.detach(target);
        return "detached from " + a.target();
    }

    // ---- stats ---------------------------------------------------------------------------

    @Descriptor("packets and bytes by protocol of every attachment")
    public void stats(
            @Descriptor("JSON instead of a table") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("refreshes to print (default 1)") @Parameter(names = {"-n", "--count"}, absentValue = "1") String count,
            @Descriptor("seconds between refreshes (default 1)") @Parameter(names = {"-i", "--interval"}, absentValue = "1") String interval)
            throws InterruptedException {
        stats(json, count, interval, "");
    }

    @Descriptor("packets and bytes by protocol of one container or interface")
    public void stats(
            @Descriptor("JSON instead of a table") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("refreshes to print (default 1)") @Parameter(names = {"-n", "--count"}, absentValue = "1") String count,
            @Descriptor("seconds between refreshes (default 1)") @Parameter(names = {"-i", "--interval"}, absentValue = "1") String interval,
            @Descriptor("an attached container or interface") String target) throws InterruptedException {
        int frames = parseInt(count, "--count", 1, 1_000_000);
        double seconds = parseSeconds(interval);
        requireRunning();
        if (!target.isEmpty()) {
            attached(target);
        }
        PrintStream print = out.get();
        for (int frame = 1; frame <= frames; frame++) {
            if (frame > 1) {
                TimeUnit.NANOSECONDS.sleep((long) (seconds * 1e9));
            }
            List<XdpStats.Row> rows = XdpStats.read(tracker, target);
            print.println(json ? XdpStats.json(rows) : XdpStats.text(rows, Instant.now()));
            print.flush();
            if (print.checkError()) {
                return;
            }
        }
    }

    // ---- flows ---------------------------------------------------------------------------

    @Descriptor("the flows (addresses, ports) of an attached container or interface, by bytes")
    public void flows(
            @Descriptor("JSON instead of a table") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("flows shown (default 10)") @Parameter(names = {"-t", "--top"}, absentValue = "10") String top,
            @Descriptor("an attached container or interface") String target) {
        int n = parseInt(top, "--top", 1, 100_000);
        requireRunning();
        Attachment a = attached(target);
        List<XdpKernel.Flow> flows = new ArrayList<>(tracker.kernel().flows().stream()
                .filter(f -> a.ports().stream().anyMatch(p -> p.side() == f.side() && p.ifindex() == f.ifindex())).toList());
        flows.sort(Comparator.comparingLong(XdpKernel.Flow::bytes).reversed());
        List<XdpKernel.Flow> shown = flows.subList(0, Math.min(n, flows.size()));
        PrintStream print = out.get();
        if (json) {
            List<Object> list = new ArrayList<>();
            for (XdpKernel.Flow f : shown) {
                list.add(flowMap(a, f));
            }
            print.println(Json.of(Map.of("target", a.target(), "flows", list)));
            return;
        }
        print.println(String.format("%-9s %-6s %-39s %6s  %-39s %6s %10s %12s", "DIR", "PROTO", "SRC", "SPORT", "DST", "DPORT",
                "PACKETS", "BYTES"));
        for (XdpKernel.Flow f : shown) {
            Map<String, Object> m = flowMap(a, f);
            print.println(String.format("%-9s %-6s %-39s %6s  %-39s %6s %10d %12d", m.get("direction"), m.get("protocol"),
                    m.get("src"), m.get("sport"), m.get("dst"), m.get("dport"), f.packets(), f.bytes()));
        }
        if (shown.isEmpty()) {
            print.println("no flow seen yet");
        }
    }

    private static Map<String, Object> flowMap(Attachment a, XdpKernel.Flow f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("direction", f.side().direction(a.isContainer()));
        m.put("protocol", XdpStats.protocolName(f.proto()));
        m.put("src", PacketHeaders.address(f.src()));
        m.put("sport", f.proto() == 1 || f.proto() == 58 ? 0 : f.sport());
        m.put("dst", PacketHeaders.address(f.dst()));
        m.put("dport", f.dport());
        if (f.proto() == 1 || f.proto() == 58) {
            m.put("icmp_type", f.sport() >> 8);
        }
        m.put("packets", f.packets());
        m.put("bytes", f.bytes());
        return m;
    }

    // ---- capture -------------------------------------------------------------------------

    @Descriptor("decoded headers of sampled packets of an attached container or interface (at most 200 a second per CPU)")
    public void capture(
            @Descriptor("one JSON object per packet") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("packets to take (default 10)") @Parameter(names = {"-n", "--count"}, absentValue = "10") String count,
            @Descriptor("only packets matching this rule, quoted: 'icmp', 'tcp port 80', 'from 172.17.0.3'")
            @Parameter(names = {"-f", "--filter"}, absentValue = "") String filter,
            @Descriptor("also write the packets (first 128 bytes of each) to this pcap file")
            @Parameter(names = {"-w", "--pcap"}, absentValue = "") String pcap,
            @Descriptor("give up after this many seconds (default 30)") @Parameter(names = {"-t", "--timeout"}, absentValue = "30") String timeout,
            @Descriptor("an attached container or interface") String target) throws InterruptedException, IOException {
        int n = parseInt(count, "--count", 1, 1_000_000);
        double seconds = parseSeconds(timeout);
        Rule rule = filter.isBlank() ? Rule.ANY : Rule.parse(filter);
        requireRunning();
        Attachment a = attached(target);
        BlockingQueue<PacketEvent> queue = new ArrayBlockingQueue<>(CAPTURE_QUEUE);
        EventSubscriber sub = new EventSubscriber() {
            @Override
            public void onEvent(Event e) {
                if (e instanceof PacketEvent p && a.ports().stream().anyMatch(port -> port.name().equals(p.iface()))) {
                    queue.offer(p);
                }
            }

            @Override
            public EventFilter filter() {
                return new EventFilter(XdpTracker.NAME, "packet", null);
            }

            @Override
            public int queueCapacity() {
                return CAPTURE_QUEUE;
            }
        };
        PrintStream print = out.get();
        PcapWriter writer = pcap.isEmpty() ? null : new PcapWriter(Path.of(pcap), XdpLayouts.SNAP);
        int taken = 0;
        try (Subscription s = events.subscribe("xdp:capture", sub); XdpTracker.Capture c = tracker.startCapture(a, rule)) {
            if (!json) {
                print.println(String.format("%-12s  %-9s %-6s %5s  %s", "TIME", "DIR", "PROTO", "LEN", "PACKET"));
            }
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            while (taken < n && System.nanoTime() < deadline) {
                PacketEvent p = queue.poll(100, TimeUnit.MILLISECONDS);
                if (p == null) {
                    continue;
                }
                taken++;
                Instant when = BootClock.toInstant(p.header().tsNanos());
                if (writer != null) {
                    writer.write(when, p.bytes(), p.length());
                }
                print.println(json ? json(p, when) : String.format("%-12s  %-9s %-6s %5d  %s", CLOCK.format(when),
                        p.direction(), p.protocol(), p.length(), line(p)));
                print.flush();
            }
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        if (taken < n) {
            System.err.println("only " + taken + " of " + n + " packets in " + timeout + " s");
        }
    }

    private static String line(PacketEvent p) {
        String src = p.src() + (p.sport() > 0 ? ":" + p.sport() : "");
        String dst = p.dst() + (p.dport() > 0 ? ":" + p.dport() : "");
        return (src.isEmpty() ? "" : src + " > " + dst + " ") + p.info();
    }

    private static String json(PacketEvent p, Instant when) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", when.toString());
        m.put("container", Map.of("id", p.container().id(), "name", p.container().name()));
        m.putAll(p.fields());
        return Json.of(m);
    }

    // ---- rules ---------------------------------------------------------------------------

    @Descriptor("drop an attached container's packets that match a rule, in the kernel: [tcp|udp|icmp|ip|ip6] [from ADDR[/LEN]] [to ADDR[/LEN]] [sport N] [dport N] [port N]")
    public String drop(@Descriptor("an attached container or interface") String target,
            @Descriptor("the rule's words, e.g. icmp from 172.17.0.3") String... rule) {
        Rule r = Rule.parse(String.join(" ", rule));
        requireRunning();
        XdpTracker.RuleEntry e = tracker.addRule(attached(target), r);
        return "rule " + e.slot() + " on " + e.attachment().target() + ": drop " + r;
    }

    @Descriptor("remove a drop rule of an attached container (its words, as xdp:rules shows them)")
    public String allow(@Descriptor("an attached container or interface") String target,
            @Descriptor("the rule's words, e.g. icmp from 172.17.0.3") String... rule) {
        Rule r = Rule.parse(String.join(" ", rule));
        requireRunning();
        Attachment a = attached(target);
        if (!tracker.removeRule(a, r)) {
            throw new IllegalArgumentException(a.target() + " has no rule '" + r + "' (xdp:rules lists them)");
        }
        return "removed rule '" + r + "' from " + a.target();
    }

    @Descriptor("the drop rules with their hits")
    public void rules(@Descriptor("JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        rules(json, "");
    }

    @Descriptor("the drop rules of one attached container or interface, with their hits")
    public void rules(@Descriptor("JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("an attached container or interface") String target) {
        requireRunning();
        Attachment only = target.isEmpty() ? null : attached(target);
        List<Map<String, Object>> list = new ArrayList<>();
        for (XdpTracker.RuleEntry e : tracker.rules()) {
            if (only != null && e.attachment() != only) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.slot());
            m.put("target", e.attachment().target());
            m.put("rule", e.rule().toString());
            m.put("hits", tracker.kernel().hits(e.slot()));
            list.add(m);
        }
        PrintStream print = out.get();
        if (json) {
            print.println(Json.of(list));
            return;
        }
        print.println(String.format("%-4s %-20s %10s  %s", "ID", "TARGET", "HITS", "DROP"));
        for (Map<String, Object> m : list) {
            print.println(String.format("%-4s %-20s %10s  %s", m.get("id"), m.get("target"), m.get("hits"), m.get("rule")));
        }
    }

    // ---- arguments -----------------------------------------------------------------------

    private void requireRunning() {
        if (!tracker.isRunning()) {
            throw new IllegalStateException("the xdp tracker is not running (tracker:start xdp)");
        }
    }

    private Attachment attached(String target) {
        return tracker.find(target).orElseThrow(() -> new IllegalArgumentException(
                "'" + target + "' is not attached (xdp:attach " + target + " first; xdp:stats lists the attachments)"));
    }

    static int parseInt(String word, String option, int min, int max) {
        try {
            int n = Integer.parseInt(word.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(option + " must be a whole number from " + min + " to " + max + ", not '" + word + "'");
    }

    static double parseSeconds(String word) {
        double s;
        try {
            s = Double.parseDouble(word.trim());
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        if (!(s >= 0.1 && s <= 3600)) {
            throw new IllegalArgumentException("a number of seconds from 0.1 to 3600 is needed, not '" + word + "'");
        }
        return s;
    }
}
