package dev.apiary.sink.report;

import dev.apiary.bpf.BootClock;
import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Errno;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.RuntimeProcesses;
import dev.apiary.sdk.Signals;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one container did, as its events told: processes and their execs, files and what was
 * done to them, connections and listening sockets, namespace calls. Bounded by {@link Limits}.
 *
 * <p>Thread-safe: the sink's subscriber thread {@link #add}s while commands and the report
 * writer take {@link #snapshot}s (both synchronised on this).
 */
final class ContainerActivity {

    /** An event the report reads: its tracker and type (the trackers' names; docs/reports.md). */
    static final String EXEC = "exec", FILE = "file", TCP = "tcp", NAMESPACE = "namespace", CAPABILITY = "capability";

    private final Limits limits;
    private ContainerRef ref;
    private long firstNs, lastNs, events;

    private final Map<ProcessKey, ProcessEntry> processes = new LinkedHashMap<>();
    private long processesOmitted;
    private final Map<String, FileEntry> files = new LinkedHashMap<>();
    private long filesOmitted;
    private final Map<Endpoint, ConnectionEntry> connections = new LinkedHashMap<>();
    private long connectionsOmitted;
    private final Map<Endpoint, ListenerEntry> listening = new LinkedHashMap<>();
    private long listeningOmitted;
    /** Open sockets, by the tcp tracker's connection id: where their bytes go at close. */
    private final Map<Long, ByteSink> open = new LinkedHashMap<>();
    private final Map<String, long[]> namespaceCalls = new LinkedHashMap<>(); // "call kind" -> {count, failures}

    ContainerActivity(ContainerRef ref, Limits limits) {
        this.ref = ref;
        this.limits = limits;
    }

    synchronized ContainerRef ref() {
        return ref;
    }

    synchronized long events() {
        return events;
    }

    /** Boot-clock nanoseconds of its last event, 0 before any. */
    synchronized long lastEventNanos() {
        return lastNs;
    }

    /** Takes one event of this container; events of other trackers and types are only counted. */
    synchronized void add(Event event, String tracker, String type) {
        EventHeader h = event.header();
        if (!event.container().name().isEmpty() || ref.name().isEmpty()) {
            ref = event.container(); // a name learned later, or a rename
        }
        if (events++ == 0) {
            firstNs = h.tsNanos();
        }
        lastNs = Math.max(lastNs, h.tsNanos());
        switch (tracker) {
            case EXEC -> exec(event, type, h);
            case FILE -> file(event, type, h);
            case TCP -> tcp(event, type, h);
            case NAMESPACE -> namespace(event, type);
            case CAPABILITY -> capability(event, h);
            default -> {
            }
        }
    }

    // ---- processes -------------------------------------------------------------------------

    private record ProcessKey(int pid, long startNs) {}

    private static final class ProcessEntry {
        final int pid;
        int ppid, uid;
        String comm;
        final long startNs;
        final List<Report.Exec> execs = new ArrayList<>(2);
        long execsOmitted;
        Report.Exit exit;

        ProcessEntry(EventHeader h, long startNs) {
            this.pid = h.pid();
            this.ppid = h.ppid();
            this.uid = h.uid();
            this.comm = h.comm();
            this.startNs = startNs;
        }
    }

    private ProcessEntry process(EventHeader h, long startNs) {
        ProcessKey key = new ProcessKey(h.pid(), startNs);
        ProcessEntry p = processes.get(key);
        if (p == null && processes.size() < limits.processes()) {
            p = new ProcessEntry(h, startNs);
            processes.put(key, p);
        } else if (p == null) {
            processesOmitted++;
        }
        return p;
    }

    private void exec(Event event, String type, EventHeader h) {
                ProcessEntry p = process(h, Fields.number(event, "processStartNs", 0));
        if (p == null) {
            return;
        }
        if (type.equals("exec")) {
            int ret = Fields.integer(event, "ret", 0);
            if (ret == 0) {
                p.comm = h.comm();
                p.uid = h.uid();
                p.ppid = h.ppid();
            }
            if (p.execs.size() < limits.execsPerProcess()) {
                p.execs.add(new Report.Exec(time(h.tsNanos()), Fields.text(event, "path"), Fields.texts(event, "args"),
                        Fields.flag(event, "argsCut"), ret, ret == 0 ? "" : Errno.name(-ret)));
            } else {
                p.execsOmitted++;
            }
        } else if (type.equals("exit")) {
            int signal = Fields.integer(event, "signal", 0);
            p.exit = new Report.Exit(time(h.tsNanos()), Fields.integer(event, "exitCode", -1), signal,
                    signal == 0 ? "" : Signals.name(signal), Fields.flag(event, "coreDumped"), Fields.number(event, "lifetimeNs", 0));
        }
    }

    // ---- files ------------------------------------------------------------------------------

    /** What can be done to a file, in the order a report lists them; a FileEntry keeps them as bits. */
    static final List<String> OPERATIONS = List.of("read", "write", "create", "delete", "rename_from", "rename_to",
            "chmod", "chown", "mkdir", "rmdir", "mknod");

    private static final class FileEntry {
        int operations; // bit i: OPERATIONS.get(i); a bit set rather than a set: 4096 paths a container
        long calls, failures;
        boolean byWorkload;
        Map<String, Long> errors; // made at the first failure

        void add(String operation) {
            int bit = OPERATIONS.indexOf(operation);
            if (bit >= 0) {
                operations |= 1 << bit;
            }
        }

        void failed(String error) {
            failures++;
            if (errors == null) {
                errors = new LinkedHashMap<>(2);
            }
            errors.merge(error, 1L, Long::sum);
        }

        List<String> operationList() {
            List<String> out = new ArrayList<>(Integer.bitCount(operations));
            for (int i = 0; i < OPERATIONS.size(); i++) {
                if ((operations & (1 << i)) != 0) {
                    out.add(OPERATIONS.get(i));
                }
            }
            return out;
        }
        final long firstNs;
        final String firstComm;
        final int firstPid;

        FileEntry(EventHeader h) {
            firstNs = h.tsNanos();
            firstComm = h.comm();
            firstPid = h.pid();
        }
    }

    private FileEntry fileEntry(String path, EventHeader h) {
        FileEntry e = files.get(path);
        if (e == null && files.size() < limits.files()) {
            e = new FileEntry(h);
            files.put(path, e);
        } else if (e == null) {
            filesOmitted++;
        }
        return e;
    }

    private void file(Event event, String type, EventHeader h) {
                String path = firstNonEmpty(Fields.text(event, "resolvedPath"), Fields.text(event, "path"));
        if (path.isEmpty()) {
            return; // fchmod/fchown of an fd: no path to report it under
        }
        FileEntry e = fileEntry(path, h);
        if (e == null) {
            return;
        }
        e.calls++;
        e.byWorkload |= !RuntimeProcesses.isSetup(h.comm());
        if (Fields.integer(event, "ret", 0) < 0) {
            e.failed(firstNonEmpty(Fields.text(event, "error"), "E?"));
            return;
        }
        List<String> kinds = Fields.texts(event, "kinds");
        switch (type) {
            case "open" -> {
                if (kinds.contains("read")) {
                    e.add("read");
                }
                if (kinds.contains("write")) {
                    e.add("write");
                }
                if (Fields.flag(event, "created")) {
                    e.add("create");
                }
            }
            case "mknod", "mkdir" -> {
                e.add(type);
                e.add("create");
            }
            case "unlink" -> e.add("delete");
            case "rmdir" -> {
                e.add("rmdir");
                e.add("delete");
            }
            case "chmod", "chown" -> e.add(type);
            case "rename" -> {
                e.add("rename_from");
                String to = firstNonEmpty(Fields.text(event, "resolvedNewPath"), Fields.text(event, "newPath"));
                FileEntry n = to.isEmpty() ? null : fileEntry(to, h);
                if (n != null) {
                    n.calls++;
                    n.byWorkload |= !RuntimeProcesses.isSetup(h.comm());
                    n.add("rename_to");
                }
            }
            default -> e.add(type);
        }
    }

    // ---- network ----------------------------------------------------------------------------

    private record Endpoint(String address, int port) {}

    /** Bytes of the sockets counted under an entry, added at each one's close. */
    private abstract static class ByteSink {
        long sent, received;

        void add(long s, long r) {
            sent += s;
            received += r;
        }
    }

    private static final class ConnectionEntry extends ByteSink {
        long connects, failures;
        final Map<String, Long> errors = new LinkedHashMap<>(1);
        final String firstComm;
        final int firstPid;

        ConnectionEntry(EventHeader h) {
            firstComm = h.comm();
            firstPid = h.pid();
        }
    }

    private static final class ListenerEntry extends ByteSink {
        long accepts, peersOmitted;
        final Set<String> peers = new LinkedHashSet<>(2);
        String comm;
        int pid;

        ListenerEntry(EventHeader h) {
            comm = h.comm();
            pid = h.pid();
        }
    }

    private void tcp(Event event, String type, EventHeader h) {
        long id = Fields.number(event, "connectionId", 0);
        switch (type) {
            case "connect" -> {
                Endpoint remote = new Endpoint(Fields.text(event, "remoteAddress"), Fields.integer(event, "remotePort", 0));
                ConnectionEntry c = connections.get(remote);
                if (c == null && connections.size() < limits.connections()) {
                    c = new ConnectionEntry(h);
                    connections.put(remote, c);
                } else if (c == null) {
                    connectionsOmitted++;
                    return;
                }
                c.connects++;
                String error = Fields.text(event, "error");
                if (!error.isEmpty()) {
                    c.failures++;
                    c.errors.merge(error, 1L, Long::sum);
                } else {
                    remember(id, c);
                }
            }
            case "listen", "accept" -> {
                Endpoint local = new Endpoint(Fields.text(event, "localAddress"), Fields.integer(event, "localPort", 0));
                ListenerEntry l = listening.get(local);
                if (l == null && type.equals("accept")) {
                    // accepted on a socket listening on every address: 0.0.0.0 or ::
                    l = listening.get(new Endpoint("0.0.0.0", local.port()));
                    l = l != null ? l : listening.get(new Endpoint("::", local.port()));
                }
                if (l == null && listening.size() < limits.listening()) {
                    l = new ListenerEntry(h);
                    listening.put(local, l);
                } else if (l == null) {
                    listeningOmitted++;
                    return;
                }
                if (type.equals("accept")) {
                    l.accepts++;
                    String peer = Fields.text(event, "remoteAddress");
                    if (!l.peers.contains(peer)) {
                        if (l.peers.size() < limits.peers()) {
                            l.peers.add(peer);
                        } else {
                            l.peersOmitted++;
                        }
                    }
                    remember(id, l);
                } else {
                    l.comm = h.comm();
                    l.pid = h.pid();
                }
            }
            case "close" -> {
                ByteSink s = open.remove(id);
                if (s != null) {
                    s.add(Fields.number(event, "bytesSent", 0), Fields.number(event, "bytesReceived", 0));
                }
            }
            default -> {
            }
        }
    }

    private void remember(long connectionId, ByteSink sink) {
        if (connectionId == 0) {
            return;
        }
        // A socket whose close never came (the tracker stopped) must not hold memory for good.
        if (open.size() >= 4 * limits.connections()) {
            open.remove(open.keySet().iterator().next());
        }
        open.put(connectionId, sink);
    }

    // ---- namespaces -------------------------------------------------------------------------

    private void namespace(Event event, String type) {
        if (!type.equals("clone") && !type.equals("unshare") && !type.equals("setns")) {
            return; // mounts and cgroup moves are the timeline's (issue 17), not the report's
        }
                boolean failed = Fields.integer(event, "ret", 0) < 0;
        List<String> kinds = Fields.texts(event, "kinds");
        for (String kind : kinds.isEmpty() ? List.of("") : kinds) {
            if (kind.isEmpty() && type.equals("clone")) {
                continue; // a clone of a thread or process that creates no namespace
            }
            long[] c = namespaceCalls.computeIfAbsent(type + " " + kind, k -> new long[2]);
            c[0]++;
            if (failed) {
                c[1]++;
            }
        }
    }

    // ---- capabilities ------------------------------------------------------------------------

    /** The first check of each (capability, result, runtime or workload), as the capability tracker sent it. */
    private final Map<String, Report.CapabilityCheck> capabilityFirsts = new LinkedHashMap<>();

    private void capability(Event event, EventHeader h) {
                String cap = Fields.text(event, "capability");
        boolean granted = Fields.flag(event, "granted"), runtime = RuntimeProcesses.isSetup(h.comm());
        String key = tallyKey(cap, granted, runtime);
        if (!cap.isEmpty() && !capabilityFirsts.containsKey(key) && capabilityFirsts.size() < 256) {
            capabilityFirsts.put(key, new Report.CapabilityCheck(cap, granted, runtime, 0, time(h.tsNanos()), h.comm(),
                    h.pid(), Fields.text(event, "syscall")));
        }
    }

    /** The key the capability tracker's tallies use: "CAP_CHOWN granted", " runtime" added for the runtime's. */
    static String tallyKey(String capability, boolean granted, boolean runtime) {
        return capability + (granted ? " granted" : " denied") + (runtime ? " runtime" : "");
    }

    /** The first checks seen, by {@link #tallyKey}. */
    synchronized Map<String, Report.CapabilityCheck> capabilityFirsts() {
        return Map.copyOf(capabilityFirsts);
    }

    // ---- the snapshot -----------------------------------------------------------------------

    /** What a report shows of the events: every section but identity, syscalls and the kernel's namespaces. */
    record Snapshot(ContainerRef ref, Report.Observed observed, List<Report.Process> processes, List<Report.File> files,
            Report.Network network, List<Report.NamespaceCall> namespaceCalls, Report.Omitted omitted) {}

    synchronized Snapshot snapshot() {
        List<Report.Process> ps = new ArrayList<>(processes.size());
        for (ProcessEntry p : processes.values()) {
            ps.add(new Report.Process(p.pid, p.ppid, p.uid, p.comm, p.startNs == 0 ? null : time(p.startNs),
                    List.copyOf(p.execs), p.execsOmitted, p.exit, RuntimeProcesses.isSetup(p.comm)));
        }
        List<Report.File> fs = new ArrayList<>(files.size());
        for (Map.Entry<String, FileEntry> e : files.entrySet()) {
            FileEntry v = e.getValue();
            fs.add(new Report.File(e.getKey(), v.operationList(), v.calls, v.failures,
                    v.errors == null ? Map.of() : Map.copyOf(v.errors),
                    time(v.firstNs), v.firstComm, v.firstPid, !v.byWorkload));
        }
        List<Report.Connection> cs = new ArrayList<>(connections.size());
        for (Map.Entry<Endpoint, ConnectionEntry> e : connections.entrySet()) {
            ConnectionEntry v = e.getValue();
            cs.add(new Report.Connection(e.getKey().address(), e.getKey().port(), v.connects, v.failures,
                    Map.copyOf(v.errors), v.sent, v.received, v.firstComm, v.firstPid));
        }
        List<Report.Listener> ls = new ArrayList<>(listening.size());
        for (Map.Entry<Endpoint, ListenerEntry> e : listening.entrySet()) {
            ListenerEntry v = e.getValue();
            ls.add(new Report.Listener(e.getKey().address(), e.getKey().port(), v.accepts, List.copyOf(v.peers),
                    v.peersOmitted, v.sent, v.received, v.comm, v.pid));
        }
        List<Report.NamespaceCall> ns = new ArrayList<>(namespaceCalls.size());
        for (Map.Entry<String, long[]> e : namespaceCalls.entrySet()) {
            String[] callKind = e.getKey().split(" ", 2);
            ns.add(new Report.NamespaceCall(callKind[0], callKind[1], e.getValue()[0], e.getValue()[1]));
        }
        return new Snapshot(ref, new Report.Observed(events == 0 ? null : time(firstNs), events == 0 ? null : time(lastNs),
                events), ps, fs, new Report.Network(cs, ls), ns,
                new Report.Omitted(processesOmitted, filesOmitted, connectionsOmitted, listeningOmitted));
    }

    static String time(long bootNanos) {
        return BootClock.toInstant(bootNanos).toString();
    }

    private static String firstNonEmpty(String a, String b) {
        return a.isEmpty() ? b : a;
    }
}
