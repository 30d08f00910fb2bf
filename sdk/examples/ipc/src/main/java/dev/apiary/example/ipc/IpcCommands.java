package dev.apiary.example.ipc;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.sdk.command.Text;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code ipc:} shell commands, written with the SDK's command kit
 * ({@code dev.apiary.sdk.command}) as every Apiary command is: an optional container word
 * last ({@link ContainerWord}), tables that escape what a container chose ({@link Table}),
 * and events in JSON in the one shape ({@link EventJson}). A wrong argument is one line of
 * error (an IllegalArgumentException) and changes nothing.
 */
@Component(service = IpcCommands.class, property = {
    "osgi.command.scope=ipc",
    "osgi.command.function=signals",
    "osgi.command.function=pipes",
    "osgi.command.function=queues",
    "osgi.command.function=events"})
public final class IpcCommands {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final List<String> TYPES = List.of(SignalEvent.TYPE, PipeEvent.TYPE, IoEvent.TYPE, UnixEvent.TYPE, QueueEvent.TYPE);

    private final Supplier<Optional<IpcTracker.Running>> tracker;

    @Activate
    public IpcCommands(@Reference(name = "tracker") IpcTracker tracker) {
        this(tracker::running);
    }

    /** @param tracker the running tracker's history, counters and containers; empty while it is stopped */
    IpcCommands(Supplier<Optional<IpcTracker.Running>> tracker) {
        this.tracker = tracker;
    }

    // ---- ipc:signals -------------------------------------------------------------------------

    @Descriptor("signals sent by or to processes of every watched container, or of one, oldest first: sender, target, signal, result")
    public String signals(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) {
        IpcTracker.Running r = running();
        List<Event> all = r.history().snapshot();
        ContainerWord.Choice only = ContainerWord.choose(container, r.containers(), containersOf(all.stream().map(Event::container)));
        List<SignalEvent> signals = all.stream().filter(SignalEvent.class::isInstance).map(SignalEvent.class::cast)
                .filter(s -> only.includes(s.container()) || only.chosen().stream().anyMatch(c -> targets(c, s)))
                .toList();
        if (json) {
            return Json.of(Map.of("signals", signals.stream().map(EventJson::map).toList()));
        }
        if (signals.isEmpty()) {
            return "no signals seen" + in(only);
        }
        Table t = Table.of(Column.left("TIME").width(12), Column.left("CONTAINER").max(20), Column.left("SENDER").max(24),
                Column.left("TARGET").max(24), Column.left("SIGNAL"), Column.left("ORIGIN"), Column.left("RESULT"));
        for (SignalEvent s : signals) {
            String target = s.targetPid() + " " + s.targetComm()
                    + (s.targetContainer().equals(s.container().displayName()) ? "" : " (" + s.targetContainer() + ")");
            t.row(time(s), s.container().displayName(), s.header().pid() + " " + s.header().comm(), target, s.signalName(),
                    s.origin(), s.result());
        }
        return t.toString().stripTrailing();
    }

    /** Whether {@code s} was sent to a process of {@code c} (its target is known by name or short id only). */
    private static boolean targets(ContainerRef c, SignalEvent s) {
        return c.matches(s.targetContainer()) || c.displayName().equals(s.targetContainer());
    }

    // ---- ipc:pipes and ipc:queues ----------------------------------------------------------------

    @Descriptor("pipes and FIFOs used in every watched container, or in one: writer processes -> reader processes, with the bytes each moved")
    public String pipes(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) {
        return channels(json, container, true);
    }

    @Descriptor("System V and POSIX message queues used in every watched container, or in one: senders -> receivers, with bytes")
    public String queues(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) {
        return channels(json, container, false);
    }

    /** One channel and the processes at its ends. */
    private record ChannelRow(String id, Channel kind, List<Flow> writers, List<Flow> readers) {}

    private String channels(boolean json, String[] container, boolean pipes) {
        IpcTracker.Running r = running();
        List<Flow> flows = r.flows().get().stream().filter(f -> f.channel().isPipe() == pipes).toList();
        Map<Long, ContainerRef> byCgroup = new LinkedHashMap<>();
        for (Flow f : flows) {
            byCgroup.computeIfAbsent(f.cgroupId(), r.containers()::ofCgroup);
        }
        ContainerWord.Choice only = ContainerWord.choose(container, r.containers(), containersOf(byCgroup.values().stream()));
        Map<String, ChannelRow> rows = new LinkedHashMap<>();
        flows.stream().sorted((a, b) -> Long.compare(a.firstNs(), b.firstNs())).forEach(f -> {
            ChannelRow row = rows.computeIfAbsent(f.channelId(), id -> new ChannelRow(id, f.channel(), new ArrayList<>(), new ArrayList<>()));
            (f.writes() ? row.writers() : row.readers()).add(f);
        });
        List<ChannelRow> shown = rows.values().stream().filter(row -> only.isAll()
                || Stream.concat(row.writers().stream(), row.readers().stream()).anyMatch(f -> only.includes(byCgroup.get(f.cgroupId()))))
                .toList();
        String what = pipes ? "pipes" : "queues";
        if (json) {
            List<Object> out = new ArrayList<>();
            for (ChannelRow row : shown) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("channel", row.id());
                m.put("kind", row.kind().label());
                m.put("writers", row.writers().stream().map(f -> flowMap(f, byCgroup.get(f.cgroupId()))).toList());
                m.put("readers", row.readers().stream().map(f -> flowMap(f, byCgroup.get(f.cgroupId()))).toList());
                out.add(m);
            }
            return Json.of(Map.of(what, out));
        }
        if (shown.isEmpty()) {
            return "no " + what + " used" + in(only);
        }
        Table t = Table.of(Column.left("CHANNEL"), Column.left("CONTAINER").max(20), Column.left("WRITERS"), Column.left("READERS"));
        for (ChannelRow row : shown) {
            Flow first = row.writers().isEmpty() ? row.readers().getFirst() : row.writers().getFirst();
            t.row(row.id(), byCgroup.get(first.cgroupId()).displayName(), ends(row.writers()), ends(row.readers()));
        }
        return t.toString().stripTrailing();
    }

    private static String ends(List<Flow> flows) {
        if (flows.isEmpty()) {
            return "-";
        }
        return flows.stream().map(f -> f.pid() + " " + f.comm() + " (" + f.bytes() + " B)").collect(Collectors.joining(", "));
    }

    private static Map<String, Object> flowMap(Flow f, ContainerRef c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", f.pid());
        m.put("comm", f.comm());
        m.put("container", EventJson.container(c));
        m.put("bytes", f.bytes());
        m.put("ops", f.ops());
        m.put("first", BootClock.toInstant(f.firstNs()).toString());
        m.put("last", BootClock.toInstant(f.lastNs()).toString());
        return m;
    }

    // ---- ipc:events ----------------------------------------------------------------------------

    @Descriptor("the tracker's last events of every watched container, or of one, oldest first: signal, pipe (created),"
            + " io (first transfer), unix, queue")
    public String events(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("only this event type: signal, pipe, io, unix or queue")
            @Parameter(names = {"-t", "--type"}, absentValue = "") String type,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) {
        if (!type.isEmpty() && !TYPES.contains(type)) {
            throw new IllegalArgumentException("unknown event type '" + Text.safe(type) + "'; one of " + String.join(", ", TYPES));
        }
        IpcTracker.Running r = running();
        List<Event> all = r.history().snapshot();
        ContainerWord.Choice only = ContainerWord.choose(container, r.containers(), containersOf(all.stream().map(Event::container)));
        Predicate<Event> keep = e -> (type.isEmpty() || e.type().equals(type)) && only.includes(e.container());
        List<Event> shown = all.stream().filter(keep).toList();
        if (json) {
            return Json.of(Map.of("events", shown.stream().map(EventJson::map).toList()));
        }
        if (shown.isEmpty()) {
            return "no events" + (type.isEmpty() ? "" : " of type " + type) + in(only);
        }
        Table t = Table.of(Column.left("TIME").width(12), Column.left("CONTAINER").max(20), Column.left("TYPE"),
                Column.left("PROCESS").max(22), Column.left("DETAILS"));
        for (Event e : shown) {
            t.row(time(e), e.container().displayName(), e.type(), e.header().pid() + " " + e.header().comm(), details(e));
        }
        return t.toString().stripTrailing();
    }

    private static String details(Event e) {
        return switch (e) {
            case SignalEvent s -> s.signalName() + " -> " + s.targetPid() + " " + s.targetComm() + " (" + s.origin() + ", " + s.result() + ")";
            case PipeEvent p -> p.ret() < 0 ? "pipe failed: " + p.error()
                    : "pipe:[" + p.inode() + "] read fd " + p.readFd() + ", write fd " + p.writeFd();
            case IoEvent i -> "first " + i.direction() + " on " + Flows.channelId(Channel.valueOf(i.channel().toUpperCase(Locale.ROOT)),
                    i.device(), i.inode()) + " fd " + i.fd() + ": " + i.bytes() + " B";
            case UnixEvent u -> u.operation() + " " + u.path() + (u.error().isEmpty() ? "" : " failed: " + u.error())
                    + (u.peerPid() == 0 ? "" : " peer " + u.peerPid()) + (u.socketType().isEmpty() ? "" : " " + u.socketType());
            case QueueEvent q -> q.channel() + " " + (q.name().isEmpty() ? "key " + q.key() : q.name())
                    + (q.ret() < 0 ? " failed: " + q.error() : " -> " + q.ret());
            default -> e.fields().toString();
        };
    }

    // ---- shared ----------------------------------------------------------------------------------

    private IpcTracker.Running running() {
        return tracker.get().orElseThrow(() -> new IllegalStateException("the ipc tracker is not running (tracker:start ipc)"));
    }

    /**
     * The containers seen in the data, for the container word: one that has exited since is
     * still found by its name or id.
     */
    private static Collection<ContainerRef> containersOf(Stream<ContainerRef> seen) {
        Map<String, ContainerRef> byId = new LinkedHashMap<>();
        seen.filter(c -> !c.isHost()).forEach(c -> byId.putIfAbsent(c.id(), c));
        return byId.values();
    }

    /** " in web" when one container was chosen, else "". */
    private static String in(ContainerWord.Choice only) {
        return only.isAll() ? "" : " in " + only.describe();
    }

    private static String time(Event e) {
        return TIME.format(BootClock.toInstant(e.header().tsNanos()));
    }
}
