package dev.apiary.tracker.xdp;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.Tail;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Options;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.sdk.command.Text;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code xdp:} commands: attach and detach, stats, flows, capture, drop/allow/rules.
 * Every wrong argument is refused with one line before anything changes.
 *
 * <p>A target is a container, taken as every command takes one ({@link ContainerWord}: a
 * name, an id or an id prefix), or a host network interface by its name. Text that a
 * container chose (its name, its interfaces' names, the packets it sends) is escaped.
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
    private static final Duration POLL = Duration.ofMillis(100);
    private static final String TARGET = "an attached container (name, id or id prefix) or host interface";

    /** A packet of xdp:capture, one line each. */
    private static final Table CAPTURE = Table.of(Column.left("TIME").width(12), Column.left("DIR").min(9),
            Column.left("PROTO").min(6), Column.right("LEN").min(5), Column.left("PACKET"));

    /** What the commands use of {@link XdpTracker}: the tracker itself in the shell, a fake in a test (no BPF). */
    interface Backend {

        boolean isRunning();

        /** The containers core knows; only while the tracker runs. */
        Containers containers();

        List<Attachment> attachments();

        /** @param word a container's full id, or a host interface's name */
        Attachment attach(String word, Hook hook);

        Attachment detach(Attachment a);

        /** An attachment end's counters, null when it has none. */
        XdpKernel.Counts counts(Side side, int ifindex);

        List<XdpKernel.Flow> flows();

        List<RuleEntry> rules();

        long hits(int slot);

        RuleEntry addRule(Attachment a, Rule rule);

        boolean removeRule(Attachment a, Rule rule);

        Capture startCapture(Attachment a, Rule filter);

        /** Whether the host has a network interface of this name. */
        boolean hostInterface(String name);

        static Backend of(XdpTracker t) {
            return new Backend() {
                @Override
                public boolean isRunning() {
                    return t.isRunning();
                }

                @Override
                public Containers containers() {
                    return t.containers();
                }

                @Override
                public List<Attachment> attachments() {
                    return t.attachments();
                }

                @Override
                public Attachment attach(String word, Hook hook) {
                    return t.attach(word, hook);
                }

                @Override
                public Attachment detach(Attachment a) {
                    // A full id or an interface's name: the word finds exactly this attachment.
                    return t.detach(a.isContainer() ? a.container().id() : a.interfaceName());
                }

                @Override
                public XdpKernel.Counts counts(Side side, int ifindex) {
                    return t.kernel().counts(side, ifindex);
                }

                @Override
                public List<XdpKernel.Flow> flows() {
                    return t.kernel().flows();
                }

                @Override
                public List<RuleEntry> rules() {
                    return t.rules();
                }

                @Override
                public long hits(int slot) {
                    return t.kernel().hits(slot);
                }

                @Override
                public RuleEntry addRule(Attachment a, Rule rule) {
                    return t.addRule(a, rule);
                }

                @Override
                public boolean removeRule(Attachment a, Rule rule) {
                    return t.removeRule(a, rule);
                }

                @Override
                public Capture startCapture(Attachment a, Rule filter) {
                    return t.startCapture(a, filter);
                }

                @Override
                public boolean hostInterface(String name) {
                    return VethPair.hostIndex(name).isPresent();
                }
            };
        }
    }

    private final Backend xdp;
    private final Events events;
    private final Supplier<PrintStream> out;
    private final Supplier<PrintStream> err;
    private final Supplier<Instant> clock;

    @Activate
    public XdpCommands(@Reference(name = "tracker") XdpTracker tracker, @Reference(name = "events") Events events) {
        this(Backend.of(tracker), events, () -> System.out, () -> System.err, Instant::now);
    }

    /**
     * @param out   where a command prints (the shell's: looked up per call)
     * @param err   where a command says what it could not do
     * @param clock the time xdp:stats shows
     */
    XdpCommands(Backend xdp, Events events, Supplier<PrintStream> out, Supplier<PrintStream> err, Supplier<Instant> clock) {
        this.xdp = xdp;
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
        String word = attachWord(target);
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
        Attachment a = attached(target);
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
        List<Attachment> only = chosen(target);
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
        Attachment a = attached(target);
        List<XdpKernel.Flow> flows = new ArrayList<>(xdp.flows().stream()
                .filter(f -> a.ports().stream().anyMatch(p -> p.side() == f.side() && p.ifindex() == f.ifindex())).toList());
        flows.sort(Comparator.comparingLong(XdpKernel.Flow::bytes).reversed());
        List<XdpKernel.Flow> shown = flows.subList(0, Math.min(n, flows.size()));
        PrintStream print = out.get();
        if (json) {
            List<Object> list = new ArrayList<>();
            for (XdpKernel.Flow f : shown) {
                list.add(flowMap(a, f));
            }
            Map<String, Object> m = targetMap(a);
            m.put("flows", list);
            print.println(Json.of(m));
            return;
        }
        if (shown.isEmpty()) {
            print.println("no flow seen yet on " + Text.safe(a.target()));
            return;
        }
        Table t = Table.of(Column.left("DIR"), Column.left("PROTO"), Column.left("SRC"), Column.right("SPORT"),
                Column.left("DST"), Column.right("DPORT"), Column.right("PACKETS"), Column.right("BYTES"));
        for (XdpKernel.Flow f : shown) {
            Map<String, Object> m = flowMap(a, f);
            t.row(m.get("direction"), m.get("protocol"), m.get("src"), m.get("sport"), m.get("dst"), m.get("dport"),
                    f.packets(), f.bytes());
        }
        print.print(t);
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

    /** {@code target} (what tables show) and {@code container} (as every JSON has it; null for an interface). */
    static Map<String, Object> targetMap(Attachment a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", a.target());
        m.put("container", a.isContainer() ? EventJson.container(a.container()) : null);
        return m;
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
        Attachment a = attached(target);
        Set<String> ifaces = a.ports().stream().map(Port::name).collect(Collectors.toUnmodifiableSet());
        PrintStream print = out.get();
        PcapWriter writer = pcap.isEmpty() ? null : new PcapWriter(Path.of(pcap), XdpLayouts.SNAP);
        long taken = 0;
        // The tail is open before sampling starts, and sampling stops before it closes.
        try (Tail tail = events.tail("xdp:capture", new EventFilter(XdpTracker.NAME, "packet", null),
                e -> e instanceof PacketEvent p && ifaces.contains(p.iface()), CAPTURE_QUEUE);
                Capture c = safely(() -> xdp.startCapture(a, rule))) {
            if (!json) {
                print.print(CAPTURE.header());
            }
            long deadline = System.nanoTime() + limit.toNanos();
            for (long left = limit.toNanos(); (n == 0 || taken < n) && left > 0; left = deadline - System.nanoTime()) {
                Event e = tail.poll(Duration.ofNanos(Math.min(left, POLL.toNanos())));
                if (e == null) {
                    print.flush();
                    if (print.checkError()) {
                        return; // the reader went away
                    }
                    continue;
                }
                PacketEvent p = (PacketEvent) e;
                taken++;
                Instant when = BootClock.toInstant(p.header().tsNanos());
                if (writer != null) {
                    writer.write(when, p.bytes(), p.length());
                }
                print.println(json ? EventJson.of(p)
                        : CAPTURE.line(CLOCK.format(when), p.direction(), p.protocol(), p.length(), line(p)));
                print.flush();
            }
            if (tail.dropped() > 0) {
                err.get().println(tail.dropped() + " packets were not printed: the terminal could not keep up");
            }
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
        Attachment a = attached(target);
        RuleEntry e = safely(() -> xdp.addRule(a, r));
        return "rule " + e.slot() + " on " + Text.safe(e.attachment().target()) + ": drop " + r;
    }

    @Descriptor("remove a drop rule of an attached container (its words, as xdp:rules shows them)")
    public String allow(@Descriptor(TARGET) String target,
            @Descriptor("the rule's words, e.g. icmp from 172.17.0.3") String... rule) {
        Rule r = Rule.parse(String.join(" ", rule));
        requireRunning();
        Attachment a = attached(target);
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
        List<Attachment> only = chosen(target);
        List<RuleEntry> entries = xdp.rules().stream()
                .filter(e -> only == null || only.contains(e.attachment())).toList();
        PrintStream print = out.get();
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (RuleEntry e : entries) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", e.slot());
                m.putAll(targetMap(e.attachment()));
                m.put("rule", e.rule().toString());
                m.put("hits", xdp.hits(e.slot()));
                list.add(m);
            }
            print.println(Json.of(list));
            return;
        }
        if (entries.isEmpty()) {
            print.println("no drop rules" + (only == null ? "" : " on " + (only.isEmpty() ? "any host interface" : describe(only))));
            return;
        }
        Table t = Table.of(Column.right("ID"), Column.left("TARGET").max(32), Column.right("HITS"), Column.left("DROP"));
        for (RuleEntry e : entries) {
            t.row(e.slot(), e.attachment().target(), xdp.hits(e.slot()), e.rule());
        }
        print.print(t);
    }

    // ---- targets -------------------------------------------------------------------------

    private void requireRunning() {
        if (!xdp.isRunning()) {
            throw new IllegalStateException("the xdp tracker is not running (tracker:start xdp)");
        }
    }

    /**
     * What {@code xdp:attach} passes the tracker for a user's word: the full id of the
     * container it names, else the host interface of that name.
     */
    private String attachWord(String word) {
        Containers containers = xdp.containers();
        ContainerRef c;
        try {
            c = ContainerWord.choose(new String[] {word}, containers, List.of()).only();
        } catch (IllegalArgumentException e) {
            // No container by that word (or several): an interface of that name, unless the
            // tracker's own lookup would take the word for a container.
            if (xdp.hostInterface(word) && containers.list().stream().noneMatch(k -> k.ref().matches(word))) {
                return word;
            }
            if (e.getMessage().startsWith("no container named ")) {
                throw new IllegalArgumentException(e.getMessage() + "; nor a host network interface (ip link lists them)", e);
            }
            throw e;
        }
        if (!c.isHost()) {
            return c.id();
        }
        if (xdp.hostInterface(word)) {
            return word; // an interface named "host"
        }
        throw new IllegalArgumentException("'host' is not an interface: attach a host network interface by its name"
                + " (ip link lists them)");
    }

    /** The attachment a user's word names: an attached container, or an attached host interface by its name. */
    private Attachment attached(String word) {
        List<Attachment> found = select(word, false);
        return found.getFirst();
    }

    /** The attachments a command's optional word chooses; null for every attachment. */
    private List<Attachment> chosen(String[] words) {
        if (words == null || words.length == 0) {
            return null;
        }
        if (words.length > 1) {
            ContainerWord.choose(words, xdp.containers(), List.of()); // refuses with the kit's "give one container" text
        }
        return select(words[0], true);
    }

    /**
     * The attachments {@code word} names: the container it names as {@link ContainerWord}
     * takes it (among those core knows and those attached), else the attached interface of
     * that name; 'host' is every attached host interface when {@code many}.
     *
     * @throws IllegalArgumentException naming what is wrong: the kit's text for a word that
     *         names no container (or several), or that the container or interface is not attached
     */
    private List<Attachment> select(String word, boolean many) {
        List<Attachment> all = xdp.attachments();
        Optional<Attachment> byName = all.stream().filter(a -> !a.isContainer() && a.interfaceName().equals(word)).findFirst();
        List<ContainerRef> seen = all.stream().filter(Attachment::isContainer).map(Attachment::container).toList();
        ContainerRef c;
        try {
            c = ContainerWord.choose(new String[] {word}, xdp.containers(), seen).only();
        } catch (IllegalArgumentException e) {
            if (byName.isPresent()) {
                return List.of(byName.get());
            }
            if (xdp.hostInterface(word)) {
                throw notAttached(word);
            }
            throw e;
        }
        if (c.isHost()) {
            if (byName.isPresent()) {
                return List.of(byName.get()); // an interface named "host"
            }
            List<Attachment> interfaces = all.stream().filter(a -> !a.isContainer()).toList();
            if (many) {
                return interfaces;
            }
            throw new IllegalArgumentException("'host' is not one attachment: give the host interface's name (attached: "
                    + (interfaces.isEmpty() ? "none" : describe(interfaces)) + ")");
        }
        for (Attachment a : all) {
            if (a.isContainer() && a.container().id().equals(c.id())) {
                return List.of(a);
            }
        }
        if (byName.isPresent()) {
            return List.of(byName.get());
        }
        throw notAttached(c.displayName());
    }

    private static IllegalArgumentException notAttached(String name) {
        String n = Text.safe(name);
        return new IllegalArgumentException("'" + n + "' is not attached (xdp:attach " + n
                + " first; xdp:stats lists the attachments)");
    }

    private static String describe(List<Attachment> attachments) {
        return attachments.stream().map(a -> Text.safe(a.target())).collect(Collectors.joining(", "));
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
