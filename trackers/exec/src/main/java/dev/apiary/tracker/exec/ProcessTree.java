package dev.apiary.tracker.exec;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.sdk.command.Text;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Processes grouped by container, each group as a forest: a process hangs below its parent
 * when the parent runs in the same container, else it is a root of its group (a container's
 * init is a root although its parent, the runtime's shim, is on the host). Immutable.
 */
final class ProcessTree {

    /** A process at its place in the tree: depth 0 for roots, and whether it is its parent's last child. */
    record Node(ProcessInfo process, int depth, List<Boolean> lastAtEachLevel) {}

    /** One container's processes, in tree order. */
    record Group(ContainerRef container, List<Node> nodes) {}

    private final List<Group> groups;

    private ProcessTree(List<Group> groups) {
        this.groups = groups;
    }

    /** The tree of these processes: containers by display name first, the host last. */
    static ProcessTree of(List<ProcessInfo> processes) {
        Map<String, List<ProcessInfo>> byContainer = new HashMap<>();
        Map<String, ContainerRef> refs = new HashMap<>();
        for (ProcessInfo p : processes) {
            byContainer.computeIfAbsent(p.container().id(), id -> new ArrayList<>()).add(p);
            refs.putIfAbsent(p.container().id(), p.container());
        }
        List<ContainerRef> order = new ArrayList<>(refs.values());
        order.sort(Comparator.comparing(ContainerRef::isHost)
                .thenComparing(ContainerRef::displayName)
                .thenComparing(ContainerRef::id));
        List<Group> groups = new ArrayList<>();
        for (ContainerRef ref : order) {
            groups.add(new Group(ref, forest(byContainer.get(ref.id()))));
        }
        return new ProcessTree(List.copyOf(groups));
    }

    List<Group> groups() {
        return groups;
    }

    private static List<Node> forest(List<ProcessInfo> processes) {
        Map<Integer, ProcessInfo> byPid = new HashMap<>();
        for (ProcessInfo p : processes) {
            byPid.put(p.pid(), p);
        }
        Map<Integer, List<ProcessInfo>> children = new HashMap<>();
        List<ProcessInfo> roots = new ArrayList<>();
        for (ProcessInfo p : processes) {
            if (p.ppid() != p.pid() && byPid.containsKey(p.ppid())) {
                children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
            } else {
                roots.add(p);
            }
        }
        Comparator<ProcessInfo> byPidOrder = Comparator.comparingInt(ProcessInfo::pid);
        roots.sort(byPidOrder);
        children.values().forEach(list -> list.sort(byPidOrder));
        List<Node> out = new ArrayList<>();
        Set<Integer> placed = new HashSet<>();
        for (int i = 0; i < roots.size(); i++) {
            walk(roots.get(i), List.of(i == roots.size() - 1), children, placed, out);
        }
        // Parent links that loop (pid reuse while the table was updated) leave processes unplaced: show them as roots.
        for (ProcessInfo p : processes.stream().sorted(byPidOrder).toList()) {
            if (!placed.contains(p.pid())) {
                walk(p, List.of(true), children, placed, out);
            }
        }
        return List.copyOf(out);
    }

    private static void walk(ProcessInfo p, List<Boolean> lastAtEachLevel, Map<Integer, List<ProcessInfo>> children,
            Set<Integer> placed, List<Node> out) {
        if (!placed.add(p.pid())) {
            return;
        }
        out.add(new Node(p, lastAtEachLevel.size() - 1, lastAtEachLevel));
        List<ProcessInfo> kids = children.getOrDefault(p.pid(), List.of());
        for (int i = 0; i < kids.size(); i++) {
            List<Boolean> deeper = new ArrayList<>(lastAtEachLevel);
            deeper.add(i == kids.size() - 1);
            walk(kids.get(i), List.copyOf(deeper), children, placed, out);
        }
    }

    /**
     * The tree as text: one heading per container, then PID, PPID, UID, AGE and the command
     * line drawn as a tree. Names, images and command lines are the container's choice, so
     * every one is escaped ({@link Table}, {@link Text#safe}).
     */
    String text(long nowNs) {
        StringBuilder out = new StringBuilder();
        for (Group g : groups) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(heading(g)).append('\n');
            Table table = Table.of(Column.right("PID").min(7), Column.right("PPID").min(7), Column.right("UID").min(6),
                    Column.right("AGE").min(6), Column.left("COMMAND"));
            for (Node n : g.nodes()) {
                ProcessInfo p = n.process();
                // Table escapes the cell; the branches are box-drawing characters it leaves alone.
                table.row(p.pid(), p.ppid(), p.uid(), age(nowNs - p.startNs()), branches(n) + p.commandLine());
            }
            out.append(table);
        }
        return out.toString();
    }

    /**
     * The tree as JSON: containers (as {@link EventJson#container}) with their processes in
     * tree order, each with its depth.
     */
    String json(long nowNs) {
        List<Map<String, Object>> containers = new ArrayList<>();
        for (Group g : groups) {
            List<Map<String, Object>> processes = new ArrayList<>();
            for (Node n : g.nodes()) {
                ProcessInfo p = n.process();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pid", p.pid());
                m.put("ppid", p.ppid());
                m.put("uid", p.uid());
                m.put("ageSeconds", Math.max(0, (nowNs - p.startNs()) / 1_000_000_000L));
                m.put("depth", n.depth());
                m.put("comm", p.comm());
                m.put("path", p.path());
                m.put("args", p.args());
                m.put("argsCut", p.argsCut());
                m.put("commandLine", p.commandLine());
                processes.add(m);
            }
            Map<String, Object> c = new LinkedHashMap<>(EventJson.container(g.container()));
            c.put("processes", processes);
            containers.add(c);
        }
        return Json.of(Map.of("containers", containers));
    }

    private static String heading(Group g) {
        ContainerRef c = g.container();
        int n = g.nodes().size();
        String count = n + (n == 1 ? " process" : " processes");
        if (c.isHost()) {
            return "host: " + count;
        }
        StringBuilder s = new StringBuilder(Text.safe(c.displayName())).append(" (").append(Text.safe(c.shortId()));
        if (!c.runtime().isEmpty()) {
            s.append(", ").append(Text.safe(c.runtime()));
        }
        if (!c.image().isEmpty()) {
            s.append(", ").append(Text.safe(c.image()));
        }
        return s.append("): ").append(count).toString();
    }

    /** "│  " for each open ancestor level, then "├─ " or "└─ " before a non-root. */
    private static String branches(Node n) {
        StringBuilder s = new StringBuilder();
        List<Boolean> last = n.lastAtEachLevel();
        for (int level = 1; level < last.size(); level++) {
            boolean isOwn = level == last.size() - 1;
            if (isOwn) {
                s.append(last.get(level) ? "└─ " : "├─ ");
            } else {
                s.append(last.get(level) ? "   " : "│  ");
            }
        }
        return s.toString();
    }

    /** An age as ps shows elapsed time, to the largest two units: "42s", "12m03s", "3h05m", "2d04h". */
    static String age(long nanos) {
        long s = Math.max(0, nanos / 1_000_000_000L);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format("%dd%02dh", s / 86400, s % 86400 / 3600);
    }

    /** The same tree with only that container's group (none when it runs nothing known). */
    ProcessTree only(ContainerRef container) {
        return new ProcessTree(groups.stream().filter(g -> g.container().id().equals(container.id())).toList());
    }
}
