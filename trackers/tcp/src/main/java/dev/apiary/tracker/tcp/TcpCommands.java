package dev.apiary.tracker.tcp;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.sdk.command.Text;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code tcp:connections} and {@code tcp:listen} shell commands. */
@Component(service = TcpCommands.class, property = {
    "osgi.command.scope=tcp",
    "osgi.command.function=connections",
    "osgi.command.function=listen"})
public final class TcpCommands {

    private final Supplier<Optional<TcpTracker.Running>> tracker;
    private final LongSupplier bootClock;

    @Activate
    public TcpCommands(@Reference(name = "tracker") TcpTracker tracker) {
        this(tracker::running, BootClock::nowNanos);
    }

    /**
     * @param tracker   the running tracker's sockets and containers, empty while it is stopped
     * @param bootClock CLOCK_BOOTTIME nanoseconds now, for ages
     */
    TcpCommands(Supplier<Optional<TcpTracker.Running>> tracker, LongSupplier bootClock) {
        this.tracker = tracker;
        this.bootClock = bootClock;
    }

    @Descriptor("show the open TCP connections of every container and the host, or of one: addresses, ports, state,"
            + " pid/comm, bytes, age")
    public String connections(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) {
        TcpTracker.Running r = running();
        List<Connection> all = r.sockets().list();
        return connections(all, choose(container, all, r.containers()), json);
    }

    @Descriptor("show the listening TCP ports of every container and the host, or of one")
    public String listen(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) {
        TcpTracker.Running r = running();
        List<Connection> all = r.sockets().list();
        return listen(all, choose(container, all, r.containers()), json);
    }

    private TcpTracker.Running running() {
        return tracker.get().orElseThrow(() -> new IllegalStateException(
                "the tcp tracker is not running (tracker:start tcp)"));
    }

    /**
     * The container the words name, among those core knows and those owning a known socket
     * (a container core never named, that lived briefly); null for every container.
     */
    private static ContainerRef choose(String[] words, List<Connection> sockets, Containers containers) {
        Map<String, ContainerRef> seen = new LinkedHashMap<>();
        for (Connection c : sockets) {
            if (!c.container().isHost()) {
                seen.putIfAbsent(c.container().id(), c.container());
            }
        }
        return ContainerWord.choose(words, containers, seen.values()).only();
    }

    private static Predicate<Connection> in(ContainerRef only) {
        return c -> only == null || c.container().id().equals(only.id());
    }

    private String connections(List<Connection> all, ContainerRef only, boolean json) {
        List<Connection> rows = all.stream().filter(in(only)).filter(c -> !c.listening()).toList();
        long now = bootClock.getAsLong();
        if (json) {
            return json("connections", rows, now);
        }
        if (rows.isEmpty()) {
            return only == null ? "no open TCP connections" : Text.safe(only.displayName()) + ": no open TCP connections";
        }
        Table table = Table.of(Column.left("CONTAINER").max(32), Column.right("PID"), Column.left("COMM"), Column.left("STATE"),
                Column.left("LOCAL"), Column.left("REMOTE"), Column.right("SENT"), Column.right("RECEIVED"), Column.right("AGE"));
        for (Connection c : rows) {
            table.row(c.container().displayName(), pid(c), comm(c), c.state(), Addresses.endpoint(c.localAddress(), c.localPort()),
                    Addresses.endpoint(c.remoteAddress(), c.remotePort()), count(c.bytesSent()), count(c.bytesReceived()),
                    age(c, now));
        }
        return table.toString();
    }

    private String listen(List<Connection> all, ContainerRef only, boolean json) {
        List<Connection> rows = all.stream().filter(in(only)).filter(Connection::listening).toList();
        long now = bootClock.getAsLong();
        if (json) {
            return json("listening", rows, now);
        }
        if (rows.isEmpty()) {
            return only == null ? "no listening TCP ports" : Text.safe(only.displayName()) + ": no listening TCP ports";
        }
        Table table = Table.of(Column.left("CONTAINER").max(32), Column.right("PID"), Column.left("COMM"), Column.left("FAMILY"),
                Column.left("ADDRESS"), Column.right("PORT"), Column.right("AGE"));
        for (Connection c : rows) {
            table.row(c.container().displayName(), pid(c), comm(c), c.family(), c.localAddress(), c.localPort(), age(c, now));
        }
        return table.toString();
    }

    private static String pid(Connection c) {
        return c.pid() == 0 ? "-" : Integer.toString(c.pid());
    }

    private static String comm(Connection c) {
        return c.comm().isEmpty() ? "-" : c.comm();
    }

    private static String age(Connection c, long now) {
        return c.birthNs() < 0 ? "-" : Ages.format(now - c.birthNs());
    }

    private static String count(long bytes) {
        return bytes < 0 ? "-" : Long.toString(bytes);
    }

    /**
     * {"KEY":[{...},...]}, each socket's container as every output writes one
     * ({@link EventJson#container}); unknown values (a socket only /proc showed) are null.
     */
    private static String json(String key, List<Connection> rows, long now) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Connection c : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("container", EventJson.container(c.container()));
            m.put("pid", c.pid() == 0 ? null : c.pid());
            m.put("comm", c.comm().isEmpty() ? null : c.comm());
            m.put("family", c.family());
            m.put("localAddress", c.localAddress());
            m.put("localPort", c.localPort());
            m.put("remoteAddress", c.remoteAddress());
            m.put("remotePort", c.remotePort());
            m.put("state", c.state());
            m.put("bytesSent", c.bytesSent() < 0 ? null : c.bytesSent());
            m.put("bytesReceived", c.bytesReceived() < 0 ? null : c.bytesReceived());
            m.put("ageSeconds", c.birthNs() < 0 ? null : (now - c.birthNs()) / 1_000_000_000L);
            m.put("connectionId", c.connectionId() == 0 ? null : c.connectionId());
            out.add(m);
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put(key, out);
        return Json.of(top);
    }
}
