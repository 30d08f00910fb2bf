package dev.apiary.example.ipc;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.Json;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code ipc:} shell commands. Tables by default, {@code --json} for programs; a wrong
 * argument is one line of error (an IllegalArgumentException) and changes nothing.
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

    @Descriptor("signals sent by or to processes of every watched container, oldest first: sender, target, signal, result")
    public String signals(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        return signals(json, null);
    }

    @Descriptor("signals sent by or to processes of one container (name, id, id prefix, or 'host'), oldest first")
    public String signals(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a container name, id, id prefix (3+ characters), or 'host'") String container) {
        IpcTracker.Running r = running();
        List<Event> all = r.history().snapshot();
        ContainerRef only = container == null ? null : resolve(container, all.stream().map(Event::container), r.containers());
        List<SignalEvent> signals = all.stream().filter(SignalEvent.class::isInstance).map(SignalEvent.class::cast)
                .filter(s -> only == null || s.container().equals(only) || only.matches(s.targetContainer())
                        || only.displayName().equals(s.targetContainer()))
                .toList();
        if (json) {
            return Json.of(Map.of("signals", signals.stream().map(IpcCommands::eventMap).toList()));
        }
        if (signals.isEmpty()) {
            return "no signals seen" + (only == null ? "" : " in " + only.displayName());
        }
        StringBuilder out = new StringBuilder(String.format("%-12s  %-20s  %-24s  %-24s  %-10s  %-8s  %s%n",
                "TIME", "CONTAINER", "SENDER", "TARGET", "SIGNAL", "ORIGIN", "RESULT"));
        for (SignalEvent s : signals) {
            String target = s.targetPid() + " " + s.targetComm()
                    + (s.targetContainer().equals(s.container().displayName()) ? "" : " (" + s.targetContainer() + ")");
            out.append(String.format("%-12s  %-20s  %-24s  %-24s  %-10s  %-8s  %s%n", time(s), cut(s.container().displayName(), 20),
                    cut(s.header().pid() + " " + s.header().comm(), 24), cut(target, 24), s.signalName(), s.origin(), s.result()));
        }
        return out.toString().stripTrailing();
    }

    // ---- ipc:pipes and ipc:queues ----------------------------------------------------------------

    @Descriptor("pipes and FIFOs used in every watched container: writer processes -> reader processes, with the bytes each moved")
    public String pipes(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        return channels(json, null, true);
    }

    @Descriptor("pipes and FIFOs used in one container: writer processes -> reader processes, with the bytes each moved")
    public String pipes(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a container name, id, id prefix (3+ characters), or 'host'") String container) {
        return channels(json, container, true);
    }

    @Descriptor("System V and POSIX message queues used in every watched container: senders -> receivers, with bytes")
    public String queues(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        return channels(json, null, false);
    }

    @Descriptor("System V and POSIX message queues used in one container: senders -> receivers, with bytes")
    public String queues(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a container name, id, id prefix (3+ characters), or 'host'") String container) {
        return channels(json, container, false);
    }

    /** One channel and the processes at its ends. */
    private record ChannelRow(String id, Channel kind, List<Flow> writers, List<Flow> readers) {}

    private String channels(boolean json, String container, boolean pipes) {
        IpcTracker.Running r = running();
        List<Flow> flows = r.flows().snapshot().stream().filter(f -> f.channel().isPipe() == pipes).toList();
        Map<Long, ContainerRef> byCgroup = new LinkedHashMap<>();
        for (Flow f : flows) {
            byCgroup.computeIfAbsent(f.cgroupId(), r.containers()::ofCgroup);
        }
        ContainerRef only = container == null ? null : resolve(container, byCgroup.values().stream(), r.containers());
        Map<String, ChannelRow> rows = new LinkedHashMap<>();
        flows.stream().sorted((a, b) -> Long.compare(a.firstNs(), b.firstNs())).forEach(f -> {
            ChannelRow row = rows.computeIfAbsent(f.channelId(), id -> new ChannelRow(id, f.channel(), new ArrayList<>(), new ArrayList<>()));
            (f.writes() ? row.writers() : row.readers()).add(f);
        });
        List<ChannelRow> shown = rows.values().stream().filter(row -> only == null
                || Stream.concat(row.writers().stream(), row.readers().stream()).anyMatch(f -> byCgroup.get(f.cgroupId()).equals(only)))
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
            return "no " + what + " used" + (only == null ? "" : " in " + only.displayName());
        }
        StringBuilder out = new StringBuilder(String.format("%-22s  %-20s  %-36s  %-36s%n", "CHANNEL", "CONTAINER", "WRITERS", "READERS"));
        for (ChannelRow row : shown) {
            Flow first = row.writers().isEmpty() ? row.readers().getFirst() : row.writers().getFirst();
            out.append(String.format("%-22s  %-20s  %-36s  %-36s%n", row.id(), cut(byCgroup.get(first.cgroupId()).displayName(), 20),
                    ends(row.writers()), ends(row.readers())));
        }
        return out.toString().stripTrailing();
    }

    private static String ends(List<Flow> flows) {
        if (flows.isEmpty()) {
            return "-";
        }
        List<String> parts = flows.stream().map(f -> f.pid() + " " + f.comm() + " (" + f.bytes() + " B)").toList();
        return String.join(", ", parts);
    }

    private static Map<String, Object> flowMap(Flow f, ContainerRef c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", f.pid());
        m.put("comm", f.comm());
        m.put("container", containerMap(c));
        m.put("bytes", f.bytes());
        m.put("ops", f.ops());
        m.put("first", BootClock.toInstant(f.firstNs()).toString());
        m.put("last", BootClock.toInstant(f.lastNs()).toString());
        return m;
    }

    // ---- ipc:events ----------------------------------------------------------------------------

    @Descriptor("the tracker's last events, oldest first: signal, pipe (created), io (first transfer), unix, queue")
    public String events(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("only this event type: signal, pipe, io, unix or queue")
            @Parameter(names = {"-t", "--type"}, absentValue = "") String type) {
        return events(json, type, null);
    }

    @Descriptor("one container's last events, oldest first: signal, pipe (created), io (first transfer), unix, queue")
    public String events(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("only this event type: signal, pipe, io, unix or queue")
            @Parameter(names = {"-t", "--type"}, absentValue = "") String type,
            @Descriptor("a container name, id, id prefix (3+ characters), or 'host'") String container) {
        if (!type.isEmpty() && !TYPES.contains(type)) {
            throw new IllegalArgumentException("unknown event type '" + type + "'; one of " + String.join(", ", TYPES));
        }
        IpcTracker.Running r = running();
        List<Event> all = r.history().snapshot();
        ContainerRef only = container == null ? null : resolve(container, all.stream().map(Event::container), r.containers());
        Predicate<Event> keep = e -> (type.isEmpty() || e.type().equals(type)) && (only == null || e.container().equals(only));
        List<Event> shown = all.stream().filter(keep).toList();
        if (json) {
            return Json.of(Map.of("events", shown.stream().map(IpcCommands::eventMap).toList()));
        }
        if (shown.isEmpty()) {
            return "no events" + (type.isEmpty() ? "" : " of type " + type) + (only == null ? "" : " in " + only.displayName());
        }
        StringBuilder out = new StringBuilder(String.format("%-12s  %-20s  %-8s  %-22s  %s%n", "TIME", "CONTAINER", "TYPE", "PROCESS", "DETAILS"));
        for (Event e : shown) {
            out.append(String.format("%-12s  %-20s  %-8s  %-22s  %s%n", time(e), cut(e.container().displayName(), 20), e.type(),
                    cut(e.header().pid() + " " + e.header().comm(), 22), details(e)));
        }
        return out.toString().stripTrailing();
    }

    private static String details(Event e) {
        return switch (e) {
            case SignalEvent s -> s.signalName() + " -> " + s.targetPid() + " " + s.targetComm() + " (" + s.origin() + ", " + s.result() + ")";
            case PipeEvent p -> p.ret() < 0 ? "pipe failed: " + p.error()
                    : "pipe:[" + p.inode() + "] read fd " + p.readFd() + ", write fd " + p.writeFd();
            case IoEvent i -> "first " + i.direction() + " on " + Flows.channelId(Channel.valueOf(i.channel().toUpperCase(java.util.Locale.ROOT)),
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
     * The container a user's word names: one seen in the data first (it may have exited since),
     * then any container core knows.
     *
     * @throws IllegalArgumentException when none has that name or id
     */
    static ContainerRef resolve(String word, Stream<ContainerRef> seen, Containers containers) {
        if (word.equals(ContainerRef.HOST_ID)) {
            return ContainerRef.HOST;
        }
        Optional<ContainerRef> found = seen.filter(c -> c.matches(word)).findFirst();
        return found.or(() -> containers.find(word).map(Container::ref)).orElseThrow(() -> new IllegalArgumentException(
                "no container named '" + word + "' (give a name, an id or an id prefix; apiary:containers lists them)"));
    }

    private static Map<String, Object> eventMap(Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", BootClock.toInstant(e.header().tsNanos()).toString());
        m.put("type", e.type());
        m.put("container", containerMap(e.container()));
        m.put("pid", e.header().pid());
        m.put("tid", e.header().tid());
        m.put("comm", e.header().comm());
        m.putAll(e.fields());
        return m;
    }

    private static Map<String, Object> containerMap(ContainerRef c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("name", c.name());
        m.put("image", c.image());
        return m;
    }

    private static String time(Event e) {
        return TIME.format(BootClock.toInstant(e.header().tsNanos()));
    }

    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}
