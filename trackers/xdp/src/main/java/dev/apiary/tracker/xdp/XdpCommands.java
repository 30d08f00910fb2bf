package dev.apiary.tracker.xdp;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.Tail;
import dev.apiary.sdk.command.Options;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.sdk.command.TailPrinter;
import dev.apiary.sdk.command.Text;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code xdp:} commands: attach and detach, stats ({@link XdpStats}), flows
 * ({@link XdpFlows}), capture, drop/allow/rules, over the tracker ({@link XdpBackend}).
 * Every wrong argument is refused with one line before anything changes.
 *
 * <p>A target is a container, taken as every command takes one (a name, an id or an id
 * prefix), or a host network interface by its name ({@link Targets}). Text that a container
 * chose (its name, its interfaces' names, the packets it sends) is escaped.
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
    private static final String TARGET = "an attached container (name, id or id prefix) or host interface";

    /** A packet of xdp:capture, one line each. */
    private static final Table CAPTURE = Table.of(Column.left("TIME").width(12), Column.left("DIR").min(9),
            Column.left("PROTO").min(6), Column.right("LEN").min(5), Column.left("PACKET"));

    private final XdpBackend xdp;
    private final Targets targets;
    private final Events events;
    private final Supplier<PrintStream> out;
    private final Supplier<PrintStream> err;
    private final Supplier<Instant> clock;

    @Activate
    public XdpCommands(@Reference(name = "tracker") XdpTracker tracker, @Reference(name = "events") Events events) {
        this(XdpBackend.of(tracker), events, () -> System.out, () -> System.err, Instant::now);
    }

    /**
     * @param out   where a command prints (the shell's: looked up per call)
     * @param err   where a command says what it could not do
     * @param clock the time xdp:stats shows
     */
    XdpCommands(XdpBackend xdp, Events events, Supplier<PrintStream> out, Supplier<PrintStream> err, Supplier<Instant> clock) {
        this.xdp = xdp;
        this.targets = new Targets(xdp);
        this.events = events;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    // ---- attach / detach -------------------------------------------------------------------

    @Descriptor("attach the tracker's programs to a container's veth pair (both directions) or to a host interface")
    public String attach(
            @Descriptor("tc (default: on the host end's tcx hooks, no copy per packet), or XDP: generic (every interface,"
                    + " copies each packet), native (in the driver; on veth it turns off GSO) or auto")
            @Parameter(names = {"-m", "--mode"}, absentValue = "tc") String mode,
            @Descriptor("a container name, id or id prefix, or a host interface name") String target) {
        Hook hook = Hook.parse(mode);
        requireRunning();
        String word = targets.attachWord(target);
        Attachment a = safely(() -> xdp.attach(word, hook));
        StringBuilder sb = new StringBuilder("attached to " + Text.safe(a.target()) + " (" + (hook.isXdp() ? "xdp " : "")
                + hook.word() + "):");
        for (Port p : a.ports()) {
            sb.append(' ').append(Text.safe(p.name())).append(" [").append(p.side().direction(a.isContainer())).append(']');
        }
        return sb.toString();
    }

    @Descriptor("take the tracker's programs off a container or host interface; its counters and rules go too")
    public String detach(@Descriptor(TARGET) String target) {
        requireRunning();
        Attachment a = targets.attached(target);
        Attachment gone = safely(() -> xdp.detach(a));
        return "detached from " + Text.safe(gone.target());
    }

    // ---- stats ---------------------------------------------------------------------------

    @Descriptor("packets and bytes by protocol of every attachment, or of one")
    public void stats(
            @Descriptor("JSON instead of a table") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("refreshes to print (default 1; 0: until Ctrl-C)") @Parameter(names = {"-n", "--count"}, absentValue = "1") String count,
            @Descriptor("time between refreshes: 500ms, 2s, 1m (default 1s)") @Parameter(names = {"-i", "--interval"}, absentValue = "1s") String interval,
            @Descriptor(TARGET + "; 'host' for every host interface (default: every attachment)") String... target)
            throws InterruptedException {
        long frames = Options.count(count);
        Duration every = Options.interval(interval);
        requireRunning();
        List<Attachment> only = targets.chosen(target);
        PrintStream print = out.get();
        for (long frame = 1; frames == 0 || frame <= frames; frame++) {
            if (frame > 1) {
                Thread.sleep(every);
            }
            List<Attachment> now = xdp.attachments().stream().filter(a -> only == null || only.contains(a)).toList();
            List<XdpStats.Row> rows = XdpStats.read(xdp, now);
            print.println(json ? XdpStats.json(rows) : XdpStats.text(rows, clock.get()));
            print.flush();
            if (print.checkError()) {
                return; // the reader went away
            }
        }
    }

    // ---- flows ---------------------------------------------------------------------------

    @Descriptor("the flows (addresses, ports) of an attached container or interface, by bytes")
    public void flows(
            @Descriptor("JSON instead of a table") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("flows shown (default 10)") @Parameter(names = {"-t", "--top"}, absentValue = "10") String top,
            @Descriptor(TARGET) String target) {
        int n = (int) Options.number("--top", top, 1, 100_000);
        requireRunning();
        Attachment a = targets.attached(target);
        List<XdpKernel.Flow> shown = XdpFlows.top(a, xdp.flows(), n);
        PrintStream print = out.get();
        if (json) {
            print.println(XdpFlows.json(a, shown));
            return;
        }
        if (shown.isEmpty()) {
            print.println("no flow seen yet on " + Text.safe(a.target()));
            return;
        }
        print.print(XdpFlows.table(a, shown));
    }

    // ---- capture -------------------------------------------------------------------------

    @Descriptor("decoded headers of sampled packets of an attached container or interface (at most capture.rate, 200 by default, a second per CPU)")
    public void capture(
            @Descriptor("one JSON object per packet") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("packets to take (default 10; 0: until the timeout)") @Parameter(names = {"-n", "--count"}, absentValue = "10") String count,
            @Descriptor("only packets matching this rule, quoted: 'icmp', 'tcp port 80', 'from 172.17.0.3'")
            @Parameter(names = {"-f", "--filter"}, absentValue = "") String filter,
            @Descriptor("also write the packets (first 128 bytes of each) to this pcap file")
            @Parameter(names = {"-w", "--pcap"}, absentValue = "") String pcap,
            @Descriptor("give up after this long: 500ms, 30s, 2m (default 30s)") @Parameter(names = {"-t", "--timeout"}, absentValue = "30s") String timeout,
            @Descriptor(TARGET) String target) throws InterruptedException, IOException {
        long n = Options.count(count);
        Duration limit = Options.duration("--timeout", timeout);
        Rule rule = filter.isBlank() ? Rule.ANY : Rule.parse(filter);
        requireRunning();
        Attachment a = targets.attached(target);
        Set<String> ifaces = a.ports().stream().map(Port::name).collect(Collectors.toUnmodifiableSet());
        PrintStream print = out.get();
        PcapWriter writer = pcap.isEmpty() ? null : new PcapWriter(Path.of(pcap), XdpLayouts.SNAP);
        long taken;
        // The tail is open before sampling starts, and sampling stops before it closes.
        try (Tail tail = events.tail("xdp:capture", new EventFilter(XdpTracker.NAME, "packet", null),
                e -> e instanceof PacketEvent p && ifaces.contains(p.iface()), CAPTURE_QUEUE);
                Capture c = safely(() -> xdp.startCapture(a, rule))) {
            if (!json) {
                print.print(CAPTURE.header());
            }
            taken = TailPrinter.print(tail, n, limit, print, err.get(), e -> {
                PacketEvent p = (PacketEvent) e;
                Instant when = BootClock.toInstant(p.header().tsNanos());
                if (writer != null) {
                    try {
                        writer.write(when, p.bytes(), p.length());
                    } catch (IOException failed) {
                        throw new UncheckedIOException("cannot write " + pcap, failed);
                    }
                }
                return json ? EventJson.of(p) : CAPTURE.line(CLOCK.format(when), p.direction(), p.protocol(), p.length(), line(p));
            });
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        if (n > 0 && taken < n) {
            err.get().println("only " + taken + " of " + n + " packets in " + Options.format(limit));
        }
    }

    private static String line(PacketEvent p) {
        String src = p.src() + (p.sport() > 0 ? ":" + p.sport() : "");
        String dst = p.dst() + (p.dport() > 0 ? ":" + p.dport() : "");
        return (src.isEmpty() ? "" : src + " > " + dst + " ") + p.info();
    }

    // ---- rules ---------------------------------------------------------------------------

    @Descriptor("drop an attached container's packets that match a rule, in the kernel: [tcp|udp|icmp|ip|ip6] [from ADDR[/LEN]] [to ADDR[/LEN]] [sport N] [dport N] [port N]")
    public String drop(@Descriptor(TARGET) String target,
            @Descriptor("the rule's words, e.g. icmp from 172.17.0.3") String... rule) {
        Rule r = Rule.parse(String.join(" ", rule));
        requireRunning();
        Attachment a = targets.attached(target);
        RuleEntry e = safely(() -> xdp.addRule(a, r));
        return "rule " + e.slot() + " on " + Text.safe(e.attachment().target()) + ": drop " + r;
    }

    @Descriptor("remove a drop rule of an attached container (its words, as xdp:rules shows them)")
    public String allow(@Descriptor(TARGET) String target,
            @Descriptor("the rule's words, e.g. icmp from 172.17.0.3") String... rule) {
        Rule r = Rule.parse(String.join(" ", rule));
        requireRunning();
        Attachment a = targets.attached(target);
        if (!safely(() -> xdp.removeRule(a, r))) {
            throw new IllegalArgumentException(Text.safe(a.target()) + " has no rule '" + r + "' (xdp:rules lists them)");
        }
        return "removed rule '" + r + "' from " + Text.safe(a.target());
    }

    @Descriptor("the drop rules with their hits, of every attachment or of one")
    public void rules(@Descriptor("JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor(TARGET + "; 'host' for every host interface (default: every attachment)") String... target) {
        requireRunning();
        List<Attachment> only = targets.chosen(target);
        List<RuleEntry> entries = xdp.rules().stream()
                .filter(e -> only == null || only.contains(e.attachment())).toList();
        PrintStream print = out.get();
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (RuleEntry e : entries) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", e.slot());
                m.putAll(Targets.json(e.attachment()));
                m.put("rule", e.rule().toString());
                m.put("hits", xdp.hits(e.slot()));
                list.add(m);
            }
            print.println(Json.of(list));
            return;
        }
        if (entries.isEmpty()) {
            print.println("no drop rules" + (only == null ? "" : " on " + (only.isEmpty() ? "any host interface" : Targets.describe(only))));
            return;
        }
        Table t = Table.of(Column.right("ID"), Column.left("TARGET").max(32), Column.right("HITS"), Column.left("DROP"));
        for (RuleEntry e : entries) {
            t.row(e.slot(), e.attachment().target(), xdp.hits(e.slot()), e.rule());
        }
        print.print(t);
    }

    // ---- calls on the tracker ------------------------------------------------------------

    private void requireRunning() {
        if (!xdp.isRunning()) {
            throw new IllegalStateException("the xdp tracker is not running (tracker:start xdp)");
        }
    }

    /**
     * A tracker call, with its refusal made safe to print: the tracker's messages name
     * containers and interfaces, which a container chooses.
     */
    private static <T> T safely(Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            if (Text.isSafe(e.getMessage())) {
                throw e;
            }
            throw new IllegalArgumentException(Text.safe(e.getMessage()), e);
        } catch (IllegalStateException e) {
            if (Text.isSafe(e.getMessage())) {
                throw e;
            }
            throw new IllegalStateException(Text.safe(e.getMessage()), e);
        }
    }
}
