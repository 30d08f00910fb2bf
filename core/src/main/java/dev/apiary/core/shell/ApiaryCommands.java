package dev.apiary.core.shell;

import dev.apiary.bpf.BootClock;
import dev.apiary.core.ApiaryRuntime;
import dev.apiary.core.dispatch.RingSource;
import dev.apiary.core.output.Json;
import dev.apiary.core.tracker.TrackerHandle;
import dev.apiary.core.tracker.TrackerManager.TrackerBundle;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.Tail;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Options;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.sdk.command.TailPrinter;
import dev.apiary.sdk.command.Text;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code apiary:*}: the runtime's state, its statistics, the containers it knows, and a live event tail. */
@Component(service = ApiaryCommands.class, property = {
        "osgi.command.scope=apiary",
        "osgi.command.function=status",
        "osgi.command.function=stats",
        "osgi.command.function=containers",
        "osgi.command.function=events"})
public final class ApiaryCommands {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final int TAIL_QUEUE = 16_384;

    private final ApiaryRuntime runtime;

    @Activate
    public ApiaryCommands(@Reference ApiaryRuntime runtime) {
        this.runtime = runtime;
    }

    @Descriptor("the runtime: uptime, kernel features found, container runtimes, and each tracker's health")
    public String status(@Descriptor("print JSON instead of text") @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("version", runtime.version());
        status.put("pid", ProcessHandle.current().pid());
        status.put("started", runtime.startedAt().toString());
        status.put("uptime_s", Duration.between(runtime.startedAt(), Instant.now()).toSeconds());
        status.put("kernel", runtime.kernelFeatures());
        status.put("setup", runtime.kernelReport().done());
        status.put("problems", runtime.kernelReport().problems());
        status.put("docker", runtime.dockerStatus());
        status.put("watch", runtime.watchScope());
        List<Map<String, Object>> trackers = new ArrayList<>();
        for (TrackerBundle t : runtime.trackers().bundles()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("state", t.state().name().toLowerCase());
            t.handle().ifPresent(h -> {
                m.put("since", h.since().toString());
                m.put("events", events(h));
                m.put("lost", h.sources().stream().mapToLong(RingSource::kernelLost).sum());
                m.put("decode_errors", h.sources().stream().mapToLong(s -> s.decodeErrors().total()).sum());
                m.put("error", h.error());
            });
            trackers.add(m);
        }
        status.put("trackers", trackers);
        if (json) {
            return Json.pretty(status);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Apiary ").append(runtime.version()).append(", pid ").append(status.get("pid")).append(", up ")
                .append(human(Duration.between(runtime.startedAt(), Instant.now()))).append('\n');
        runtime.kernelFeatures().forEach((k, v) -> sb.append(String.format("  %-10s %s%n", k, Text.safe(v))));
        sb.append(String.format("  %-10s %s%n", "docker", Text.safe(runtime.dockerStatus())));
        sb.append(String.format("  %-10s %s%n", "watch", Text.safe(runtime.watchScope())));
        for (String done : runtime.kernelReport().done()) {
            sb.append("  setup:     ").append(Text.safe(done)).append('\n');
        }
        for (String problem : runtime.kernelReport().problems()) {
            sb.append("  PROBLEM:   ").append(Text.safe(problem)).append('\n');
        }
        sb.append('\n');
        Table table = Table.of(Column.left("TRACKER"), Column.left("STATE"), Column.left("SINCE"), Column.right("EVENTS"),
                Column.right("LOST"), Column.right("DECODE_ERRORS"), Column.left("ERROR"));
        for (Map<String, Object> t : trackers) {
            table.row(t.get("name"), t.get("state"), t.containsKey("since") ? CLOCK.format(Instant.parse((String) t.get("since"))) : "",
                    t.getOrDefault("events", ""), t.getOrDefault("lost", ""), t.getOrDefault("decode_errors", ""),
                    t.getOrDefault("error", ""));
        }
        sb.append(table.isEmpty() ? "no trackers installed\n" : table.toString());
        return sb.toString();
    }

    @Descriptor("rates, drops and queue depths: per tracker (ring buffer) and per subscriber")
    public String stats(@Descriptor("print JSON instead of tables") @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json) {
        List<Map<String, Object>> trackers = new ArrayList<>();
        for (TrackerHandle h : runtime.trackers().running()) {
            for (RingSource s : h.sources()) {
                trackers.add(sourceStats(h.name(), s));
            }
        }
        List<Map<String, Object>> subscribers = new ArrayList<>();
        for (Subscription sub : runtime.dispatcher().subscriptions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", sub.name());
            m.put("delivered", sub.delivered());
            m.put("dropped", sub.dropped());
            m.put("queued", sub.queued());
            subscribers.add(m);
        }
        if (json) {
            return Json.pretty(Map.of("trackers", trackers, "subscribers", subscribers,
                    "held_for_container_names", runtime.dispatcher().heldBack()));
        }
        Table t = Table.of(Column.left("TRACKER"), Column.right("EVENTS"), Column.right("EVENTS/S"), Column.right("KERNEL_LOST"),
                Column.right("QUEUE_DROPS"), Column.right("DECODE_ERRORS"), Column.right("RING_BACKLOG"), Column.right("RING_PEAK"));
        for (Map<String, Object> m : trackers) {
            t.row(m.get("tracker"), m.get("events"), m.get("events_per_s"), m.get("kernel_lost"), m.get("queue_drops"),
                    m.get("decode_errors"), m.get("ring_backlog_bytes") + "/" + m.get("ring_bytes"),
                    m.get("ring_peak_bytes") + "/" + m.get("ring_bytes"));
        }
        Table s = Table.of(Column.left("SUBSCRIBER"), Column.right("DELIVERED"), Column.right("DROPPED"), Column.right("QUEUED"));
        for (Map<String, Object> m : subscribers) {
            s.row(m.get("name"), m.get("delivered"), m.get("dropped"), m.get("queued"));
        }
        return t + "\n" + s + "\nheld back waiting for a container name: " + runtime.dispatcher().heldBack() + "\n";
    }

    private static Map<String, Object> sourceStats(String tracker, RingSource s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tracker", tracker);
        m.put("events", s.events().total());
        m.put("events_per_s", Math.round(s.events().ratePerSecond() * 10) / 10.0);
        m.put("kernel_lost", s.kernelLost());
        m.put("queue_drops", s.queueDrops().total());
        m.put("decode_errors", s.decodeErrors().total());
        m.put("last_decode_error", s.lastDecodeError());
        m.put("ring_backlog_bytes", s.backlogBytes());
        m.put("ring_peak_bytes", s.peakBacklogBytes());
        m.put("ring_bytes", s.ringBytes());
        return m;
    }

    @Descriptor("the containers Apiary knows: name, id, image, runtime, init pid, namespaces, cgroup")
    public String containers(
            @Descriptor("also list containers that are not running") @Parameter(names = {"-a", "--all"},
                    presentValue = "true", absentValue = "false") boolean all,
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", presentValue = "true",
                    absentValue = "false") boolean json) {
        List<Container> list = runtime.list().stream().filter(c -> all || c.running()).toList();
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Container c : list) {
                Map<String, Object> m = new LinkedHashMap<>(EventJson.container(c.ref()));
                m.put("running", c.running());
                m.put("started", c.started() == null ? null : c.started().toString());
                m.put("pid", c.pid());
                m.put("cgroup_id", c.cgroupId());
                m.put("cgroup", c.cgroupPath());
                m.put("mnt_ns", c.mntNs());
                m.put("pid_ns", c.pidNs());
                m.put("net_ns", c.netNs());
                out.add(m);
            }
            return Json.pretty(out);
        }
        if (list.isEmpty()) {
            return all ? "no containers known\n" : "no running containers (apiary:containers --all lists stopped ones)\n";
        }
        Table t = Table.of(Column.left("NAME").max(32), Column.left("ID"), Column.left("IMAGE").max(40), Column.left("RUNTIME"),
                Column.left("STATE"), Column.right("PID"), Column.right("MNT_NS"), Column.right("PID_NS"), Column.right("NET_NS"),
                Column.left("CGROUP"));
        for (Container c : list) {
            t.row(c.ref().displayName(), c.ref().shortId(), c.ref().image(), c.ref().runtime(),
                    c.running() ? "running" : "stopped", c.pid(), c.mntNs(), c.pidNs(), c.netNs(), c.cgroupPath());
        }
        return t.toString();
    }

    @Descriptor("live events as they happen, until Ctrl-C or --count events")
    public void events(
            @Descriptor("only this tracker's events") @Parameter(names = {"-t", "--tracker"}, absentValue = "") String tracker,
            @Descriptor("only this event type") @Parameter(names = "--type", absentValue = "") String type,
            @Descriptor("one JSON object per line") @Parameter(names = "--json", presentValue = "true",
                    absentValue = "false") boolean json,
            @Descriptor("stop after this many events (0: until Ctrl-C)") @Parameter(names = {"-n", "--count"},
                    absentValue = "0") String count,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) throws InterruptedException {
        long limit = Options.count(count);
        EventFilter filter = validatedFilter(tracker, type, ContainerWord.choose(container, runtime));
        // Printing happens on this (the command's) thread: the shell routes its System.out to
        // the session's terminal or control-socket client, and Ctrl-C interrupts it.
        if (!json) {
            System.out.print(EVENT_LINE.header());
        }
        try (Tail tail = runtime.dispatcher().tail("apiary:events", filter, TAIL_QUEUE)) {
            TailPrinter.print(tail, limit, System.out, System.err, json ? EventJson::of : ApiaryCommands::row);
        }
    }

    private EventFilter validatedFilter(String tracker, String type, ContainerWord.Choice container) {
        if (!tracker.isEmpty()) {
            List<String> names = runtime.trackers().bundles().stream().map(TrackerBundle::name).toList();
            if (!names.contains(tracker)) {
                throw new IllegalArgumentException("no tracker named '" + Text.safe(tracker) + "'; installed: "
                        + (names.isEmpty() ? "none" : String.join(", ", names)));
            }
        }
        if (!type.isEmpty()) {
            List<String> types = runtime.trackers().running().stream()
                    .filter(h -> tracker.isEmpty() || h.name().equals(tracker))
                    .flatMap(h -> h.eventTypes().stream()).distinct().toList();
            if (!types.contains(type)) {
                throw new IllegalArgumentException("no event type '" + Text.safe(type) + "'"
                        + (tracker.isEmpty() ? "" : " in tracker " + tracker) + "; types: " + String.join(", ", types));
            }
        }
        return new EventFilter(tracker, type, container.filterWord());
    }

    private static final Table EVENT_LINE = Table.of(Column.left("TIME").width(12), Column.left("CONTAINER").width(16),
            Column.left("TRACKER").min(7), Column.left("TYPE").min(6), Column.right("PID").min(7), Column.left("COMM").min(16),
            Column.left("DETAILS"));

    private static String row(Event e) {
        StringBuilder details = new StringBuilder();
        for (Map.Entry<String, Object> f : EventJson.fields(e).entrySet()) {
            if (!details.isEmpty()) {
                details.append(' ');
            }
            details.append(f.getKey()).append('=').append(Text.safe(f.getValue()));
        }
        return EVENT_LINE.line(CLOCK.format(BootClock.toInstant(e.header().tsNanos())), e.container().displayName(),
                e.tracker(), e.type(), e.header().pid(), e.header().comm(), details);
    }

    private static long events(TrackerHandle h) {
        return h.sources().stream().mapToLong(s -> s.events().total()).sum();
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        return (s / 3600) + "h" + (s % 3600 / 60) + "m";
    }
}
