package dev.apiary.tracker.tcp;

import dev.apiary.sdk.Json;
import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.util.List;
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

    @Descriptor("show the open TCP connections of every container and the host: addresses, ports, state, pid/comm, bytes, age")
    public String connections(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        return connections(running().sockets().list(), null, json);
    }

    @Descriptor("show the open TCP connections of one container: addresses, ports, state, pid/comm, bytes, age")
    public String connections(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a container name, id, id prefix (3+ characters), or 'host'") String container) {
        TcpTracker.Running r = running();
        List<Connection> all = r.sockets().list();
        return connections(all, resolve(container, all, r.containers()), json);
    }

    @Descriptor("show the listening TCP ports of every container and the host")
    public String listen(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        return listen(running().sockets().list(), null, json);
    }

    @Descriptor("show the listening TCP ports of one container")
    public String listen(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a container name, id, id prefix (3+ characters), or 'host'") String container) {
        TcpTracker.Running r = running();
        List<Connection> all = r.sockets().list();
        return listen(all, resolve(container, all, r.containers()), json);
    }

    private TcpTracker.Running running() {
        return tracker.get().orElseThrow(() -> new IllegalStateException(
                "the tcp tracker is not running (tracker:start tcp)"));
    }

    /**
     * The container a user's word names: one that owns a known socket first, then any
     * container core knows.
     *
     * @throws IllegalArgumentException when no container has that name or id
     */
    static ContainerRef resolve(String word, List<Connection> sockets, Containers containers) {
        if (word.equals(ContainerRef.HOST_ID)) {
            return ContainerRef.HOST;
        }
        Optional<ContainerRef> owning = sockets.stream().map(Connection::container).filter(c -> c.matches(word)).findFirst();
        return owning.or(() -> containers.find(word).map(Container::ref)).orElseThrow(() ->
                new IllegalArgumentException("no container named '" + word
                        + "' (give a name, an id or an id prefix; apiary:containers lists them)"));
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
            return only == null ? "no open TCP connections" : only.displayName() + ": no open TCP connections";
        }
        StringBuilder out = new StringBuilder(String.format("%-20s %7s %-15s %-11s %-45s %-45s %10s %10s %8s%n",
                "CONTAINER", "PID", "COMM", "STATE", "LOCAL", "REMOTE", "SENT", "RECEIVED", "AGE"));
        for (Connection c : rows) {
            out.append(String.format("%-20s %7s %-15s %-11s %-45s %-45s %10s %10s %8s%n",
                    c.container().displayName(), c.pid() == 0 ? "-" : Integer.toString(c.pid()), c.comm().isEmpty() ? "-" : c.comm(),
                    c.state(), Addresses.endpoint(c.localAddress(), c.localPort()),
                    Addresses.endpoint(c.remoteAddress(), c.remotePort()), count(c.bytesSent()), count(c.bytesReceived()),
                    c.birthNs() < 0 ? "-" : Ages.format(now - c.birthNs())));
        }
        return out.toString();
    }

    private String listen(List<Connection> all, ContainerRef only, boolean json) {
        List<Connection> rows = all.stream().filter(in(only)).filter(Connection::listening).toList();
        long now = bootClock.getAsLong();
        if (json) {
            return json("listening", rows, now);
        }
        if (rows.isEmpty()) {
            return only == null ? "no listening TCP ports" : only.displayName() + ": no listening TCP ports";
        }
        StringBuilder out = new StringBuilder(String.format("%-20s %7s %-15s %-6s %-40s %6s %8s%n",
                "CONTAINER", "PID", "COMM", "FAMILY", "ADDRESS", "PORT", "AGE"));
        for (Connection c : rows) {
            out.append(String.format("%-20s %7s %-15s %-6s %-40s %6d %8s%n",
                    c.container().displayName(), c.pid() == 0 ? "-" : Integer.toString(c.pid()), c.comm().isEmpty() ? "-" : c.comm(),
                    c.family(), c.localAddress(), c.localPort(), c.birthNs() < 0 ? "-" : Ages.format(now - c.birthNs())));
        }
        return out.toString();
    }

    private static String count(long bytes) {
        return bytes < 0 ? "-" : Long.toString(bytes);
    }

    /** {"KEY":[{...},...]}; unknown values (a socket only /proc showed) are null. */
    private static String json(String key, List<Connection> rows, long now) {
        StringBuilder out = new StringBuilder("{").append(Json.string(key)).append(":[");
        for (int i = 0; i < rows.size(); i++) {
            Connection c = rows.get(i);
            out.append(i == 0 ? "" : ",")
                    .append("{\"container\":{\"id\":").append(Json.string(c.container().id()))
                    .append(",\"name\":").append(Json.string(c.container().displayName())).append('}')
                    .append(",\"pid\":").append(c.pid() == 0 ? "null" : Integer.toString(c.pid()))
                    .append(",\"comm\":").append(c.comm().isEmpty() ? "null" : Json.string(c.comm()))
                    .append(",\"family\":").append(Json.string(c.family()))
                    .append(",\"localAddress\":").append(Json.string(c.localAddress()))
                    .append(",\"localPort\":").append(c.localPort())
                    .append(",\"remoteAddress\":").append(Json.string(c.remoteAddress()))
                    .append(",\"remotePort\":").append(c.remotePort())
                    .append(",\"state\":").append(Json.string(c.state()))
                    .append(",\"bytesSent\":").append(c.bytesSent() < 0 ? "null" : Long.toString(c.bytesSent()))
                    .append(",\"bytesReceived\":").append(c.bytesReceived() < 0 ? "null" : Long.toString(c.bytesReceived()))
                    .append(",\"ageSeconds\":").append(c.birthNs() < 0 ? "null" : Long.toString((now - c.birthNs()) / 1_000_000_000L))
                    .append(",\"connectionId\":").append(c.connectionId() == 0 ? "null" : Long.toString(c.connectionId()))
                    .append('}');
        }
        return out.append("]}").toString();
    }
}
