package dev.apiary.core.shell;

import dev.apiary.bpf.BootClock;
import dev.apiary.core.ApiaryRuntime;
import dev.apiary.core.dispatch.RingSource;
import dev.apiary.core.output.EventView;
import dev.apiary.core.output.Json;
import dev.apiary.core.output.Table;
import dev.apiary.core.tracker.TrackerHandle;
import dev.apiary.core.tracker.TrackerManager.TrackerBundle;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Subscription;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
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
        runtime.kernelFeatures().forEach((k, v) -> sb.append(String.format("  %-10s %s%n", k, v)));
        sb.append(String.format("  %-10s %s%n", "docker", runtime.dockerStatus()));
        sb.append(String.format("  %-10s %s%n", "watch", runtime.watchScope()));
        for (String done : runtime.kernelReport().done()) {
            sb.append("  setup:     ").append(done).append('\n');
        }
        for (String problem : runtime.kernelReport().problems()) {
            sb.append("  PROBLEM:   ").append(problem).append('\n');
        }
        sb.append('\n');
        Table table = new Table("TRACKER", "STATE", "SINCE", "EVENTS", "LOST", "DECODE_ERRORS", "ERROR");
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
        Table t = new Table("TRACKER", "EVENTS", "EVENTS/S", "KERNEL_LOST", "QUEUE_DROPS", "DECODE_ERRORS", "RING_BACKLOG");
        for (Map<String, Object> m : trackers) {
            t.row(m.get("tracker"), m.get("events"), m.get("events_per_s"), m.get("kernel_lost"), m.get("queue_drops"),
                    m.get("decode_errors"), m.get("ring_backlog_bytes") + "/" + m.get("ring_bytes"));
        }
        Table s = new Table("SUBSCRIBER", "DELIVERED", "DROPPED", "QUEUED");
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
                Map<String, Object> m = new LinkedHashMap<>(EventView.container(c.ref()));
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
        Table t = new Table("NAME", "ID", "IMAGE", "RUNTIME", "STATE", "PID", "MNT_NS", "PID_NS", "NET_NS", "CGROUP");
        for (Container c : list) {
            t.row(c.ref().displayName(), c.ref().shortId(), c.ref().image(), c.ref().runtime(),
                    c.running() ? "running" : "stopped", c.pid(), c.mntNs(), c.pidNs(), c.netNs(), c.cgroupPath());
        }
        return t.toString();
    }

    @Descriptor("live events as they happen, until Ctrl-C or --count events")
    public void events(
            @Descriptor("only this tracker's events") @Parameter(names = {"-t", "--tracker"}, absentValue = "") String tracker,
            @Descriptor("only this container's (name, id prefix, or host)") @Parameter(names = {"-c", "--container"},
                    absentValue = "") String container,
            @Descriptor("only this event type") @Parameter(names = "--type", absentValue = "") String type,
            @Descriptor("one JSON object per line") @Parameter(names = "--json", presentValue = "true",
                    absentValue = "false") boolean json,
            @Descriptor("stop after this many events (0: until Ctrl-C)") @Parameter(names = {"-n", "--count"},
                    absentValue = "0") long count) throws InterruptedException {
        EventFilter filter = validatedFilter(tracker, type, container);
        if (count < 0) {
            throw new IllegalArgumentException("--count must be 0 (no limit) or more, not " + count);
        }
        BlockingQueue<Event> queue = new ArrayBlockingQueue<>(TAIL_QUEUE);
        AtomicLong missed = new AtomicLong();
        EventSubscriber tail = new EventSubscriber() {
            @Override
            public void onEvent(Event event) {
                if (!queue.offer(event)) {
                    missed.incrementAndGet();
                }
            }

            @Override
            public EventFilter filter() {
                return filter;
            }
        };
        // Printing happens on this (the command's) thread: the shell routes its System.out to
        // the session's terminal or control-socket client, and Ctrl-C interrupts it.
        PrintStream out = System.out;
        if (!json) {
            out.println(String.format("%-12s  %-16s  %-6s  %-6s  %7s  %-16s  %s", "TIME", "CONTAINER", "TRACKER", "TYPE",
                    "PID", "COMM", "DETAILS"));
        }
        long printed = 0;
        try (Subscription sub = runtime.dispatcher().subscribe("apiary:events", tail)) {
            while (count == 0 || printed < count) {
                Event e = queue.poll(200, TimeUnit.MILLISECONDS);
                if (e == null) {
                    out.flush();
                    if (out.checkError()) {
                        return; // the reader went away
                    }
                    continue;
                }
                out.println(json ? Json.line(EventView.of(e)) : row(e));
                printed++;
            }
        } finally {
            out.flush();
            if (missed.get() > 0) {
                System.err.println(missed.get() + " events were not printed: the terminal could not keep up");
            }
        }
    }

    private EventFilter validatedFilter(String tracker, String type, String container) {
        if (!tracker.isEmpty()) {
            List<String> names = runtime.trackers().bundles().stream().map(TrackerBundle::name).toList();
            if (!names.contains(tracker)) {
                throw new IllegalArgumentException("no tracker named '" + tracker + "'; installed: "
                        + (names.isEmpty() ? "none" : String.join(", ", names)));
            }
        }
        if (!type.isEmpty()) {
            List<String> types = runtime.trackers().running().stream()
                    .filter(h -> tracker.isEmpty() || h.name().equals(tracker))
                    .flatMap(h -> h.eventTypes().stream()).distinct().toList();
            if (!types.contains(type)) {
                throw new IllegalArgumentException("no event type '" + type + "'" + (tracker.isEmpty() ? "" : " in tracker " + tracker)
                        + "; types: " + String.join(", ", types));
            }
        }
        if (!container.isEmpty() && !container.equals(ContainerRef.HOST_ID) && runtime.find(container).isEmpty()) {
            throw new IllegalArgumentException("no container named '" + container
                    + "' (apiary:containers lists them; 'host' means processes outside containers)");
        }
        return new EventFilter(tracker, type, container);
    }

    private static String row(Event e) {
        String details = e.fields().entrySet().stream()
                .map(f -> EventView.snakeCase(f.getKey()) + "=" + format(f.getValue()))
                .collect(Collectors.joining(" "));
        return String.format("%-12s  %-16s  %-6s  %-6s  %7d  %-16s  %s",
                CLOCK.format(BootClock.toInstant(e.header().tsNanos())),
                truncate(e.container().displayName(), 16), e.tracker(), e.type(), e.header().pid(), e.header().comm(), details);
    }

    private static String format(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(" ", "[", "]"));
        }
        return String.valueOf(value);
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
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
