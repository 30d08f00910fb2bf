package dev.apiary.tracker.tcp;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The TCP sockets open now, for the tables: what /proc says exists in each running
 * container's network namespace and the host's, joined with what the tracker's events say
 * about each socket (owning process, bytes, age).
 *
 * <p>Why both: events name the owner, but only of sockets opened while the tracker ran;
 * /proc lists every socket, but not who owns it (that would take a walk over every
 * process's file descriptors). A socket found in /proc is shown with its /proc state (the
 * freshest); one events know but /proc no longer lists has closed and is left out; a socket
 * in a namespace that could not be read is shown as its events left it. Sockets in
 * TIME_WAIT are left out: their process has closed them. Stateless apart from what it is
 * given; safe for concurrent use.
 */
final class LiveSockets {

    private final ConnectionTable table;
    private final Containers containers;
    private final ProcNetTcp procNet;
    private final Path proc;

    LiveSockets(ConnectionTable table, Containers containers, Path proc) {
        this.table = table;
        this.containers = containers;
        this.procNet = new ProcNetTcp(proc);
        this.proc = proc;
    }

    /** A network namespace to read, through one of its processes, and whom its unowned sockets belong to. */
    private record Namespace(long netNs, String pid, ContainerRef container) {}

    /** Every open socket, by container name (the host last), listening ones first, then by local port. */
    List<Connection> list() {
        Map<Connection.Key, Connection> fromEvents = new HashMap<>();
        for (Connection c : table.snapshot()) {
            fromEvents.merge(c.key(), c, (a, b) -> a.connectionId() > b.connectionId() ? a : b);
        }
        List<Connection> out = new ArrayList<>();
        Set<Long> read = new HashSet<>();
        for (Namespace ns : namespaces()) {
            List<ProcNetTcp.Socket> sockets = procNet.read(ns.pid());
            if (sockets.isEmpty() && !Files.exists(proc.resolve(ns.pid()).resolve("net/tcp"))) {
                continue; // the process is gone: trust the events for this namespace
            }
            read.add(ns.netNs());
            for (ProcNetTcp.Socket s : sockets) {
                if (s.state() == TcpState.TIME_WAIT) {
                    continue;
                }
                String state = TcpState.name(s.state());
                Connection known = fromEvents.get(new Connection.Key(ns.netNs(), s.localAddress(), s.localPort(),
                        s.remoteAddress(), s.remotePort()));
                out.add(known != null ? known.withState(state)
                        : new Connection(ns.container(), ns.netNs(), 0, "", s.family(), s.localAddress(), s.localPort(),
                                s.remoteAddress(), s.remotePort(), state, -1, -1, -1, 0));
            }
        }
        for (Connection c : fromEvents.values()) {
            if (!read.contains(c.netNs())) {
                out.add(c);
            }
        }
        out.sort(ORDER);
        return out;
    }

    static final Comparator<Connection> ORDER = Comparator
            .comparing((Connection c) -> c.container().isHost())
            .thenComparing(c -> c.container().displayName())
            .thenComparing(c -> !c.listening())
            .thenComparingInt(Connection::localPort)
            .thenComparing(Connection::remoteAddress)
            .thenComparingInt(Connection::remotePort);

    /** The running containers' network namespaces (one reader each, its first container named) and the host's. */
    private List<Namespace> namespaces() {
        Map<Long, Namespace> byNs = new LinkedHashMap<>();
        for (Container c : containers.list()) {
            if (c.running() && c.pid() > 0 && c.netNs() != 0) {
                byNs.putIfAbsent(c.netNs(), new Namespace(c.netNs(), Integer.toString(c.pid()), c.ref()));
            }
        }
        long host = netNsOf("self");
        if (host != 0) {
            byNs.putIfAbsent(host, new Namespace(host, "self", ContainerRef.HOST));
        }
        return List.copyOf(byNs.values());
    }

    /** The inode of /proc/PID/ns/net ("net:[4026531840]"), 0 when unreadable. */
    private long netNsOf(String pid) {
        try {
            String link = Files.readSymbolicLink(proc.resolve(pid).resolve("ns/net")).toString();
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
