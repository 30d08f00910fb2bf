package dev.apiary.tracker.namespace;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers.Limit;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Text;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code ns:show} and {@code ns:set-limit} shell commands (set-limit through
 * {@link SetLimitFunction}, since Gogo cannot name a method with a hyphen; {@code ns:setlimit}
 * is the same command). Every wrong argument throws an IllegalArgumentException whose message
 * is the one line the shell prints; nothing is changed then. Safe for concurrent use.
 */
@Component(service = NamespaceCommands.class, property = {
    "osgi.command.scope=ns",
    "osgi.command.function=show",
    "osgi.command.function=setlimit"})
public final class NamespaceCommands {

    private final Supplier<Optional<Containers>> containers;
    private final ProcNamespaces namespaces;
    private final Supplier<CgroupFs> cgroupFs;

    @Activate
    public NamespaceCommands(@Reference(name = "tracker") NamespaceTracker tracker) {
        this(tracker::containers, Path.of("/proc"), () -> {
            try {
                return CgroupFs.read(Path.of("/proc"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
            }
        });
    }

    /**
     * @param containers the containers while the tracker runs, empty when it is stopped
     * @param proc       where /proc is
     * @param cgroupFs   the cgroup mounts, read when a command needs them
     */
    NamespaceCommands(Supplier<Optional<Containers>> containers, Path proc, Supplier<CgroupFs> cgroupFs) {
        this.containers = containers;
        this.namespaces = new ProcNamespaces(proc);
        this.cgroupFs = cgroupFs;
    }

    @Descriptor("show a container's namespaces against the host's (own or shared), its cgroups, and its memory, CPU and pids limits and usage")
    public String show(
            @Descriptor("print JSON instead of text")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a running container: name, id, or id prefix") String container) throws IOException {
        Container c = running(container);
        Map<NamespaceKind, Long> own = namespaces.of(Integer.toString(c.pid()));
        if (own.isEmpty()) {
            throw new IllegalArgumentException(Text.safe(c.ref().displayName()) + ": its process " + c.pid() + " is gone");
        }
        Map<NamespaceKind, Long> host = namespaces.of("self");
        CgroupFs fs = cgroupFs.get();
        CgroupFs.ProcessCgroups cgroups = fs.of(c.pid());
        List<CgroupLimits.Reading> limits = new CgroupLimits(fs).read(cgroups);
        List<String> cgroupDirs = fs.describe(cgroups);
        return json ? json(c, own, host, cgroupDirs, limits) : text(c, own, host, cgroupDirs, limits);
    }

    @Descriptor("change a running container's memory, cpu or pids limit through Docker and show the cgroup change")
    public String setlimit(
            @Descriptor("a running Docker container: name, id, or id prefix") String container,
            @Descriptor("memory, cpu or pids") String kind,
            @Descriptor("memory: bytes or 64m, 1g; cpu: CPUs, 0.5 or 1.5; pids: a number of tasks") String value) throws IOException {
        Limit limit = LimitValues.kind(kind);
        long parsed = LimitValues.parse(limit, value);
        Container c = running(container);
        CgroupFs fs = cgroupFs.get();
        CgroupLimits reader = new CgroupLimits(fs);
        CgroupFs.ProcessCgroups cgroups = fs.of(c.pid());
        Optional<CgroupLimits.Reading> before = reader.read(cgroups, limit);
        try {
            containers().setLimit(c.ref().id(), limit, parsed);
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(Text.safe(c.ref().displayName()) + ": " + name(limit) + " not changed: "
                    + Text.safe(e.getMessage()));
        }
        Optional<CgroupLimits.Reading> after = reader.read(cgroups, limit);
        StringBuilder out = new StringBuilder();
        out.append(Text.safe(c.ref().displayName())).append(": ").append(name(limit)).append(" limit ")
                .append(Text.safe(before.map(CgroupLimits.Reading::limit).orElse("?"))).append(" -> ")
                .append(Text.safe(after.map(CgroupLimits.Reading::limit).orElse("?"))).append('\n');
        if (before.isPresent() && after.isPresent()) {
            List<CgroupLimits.FileValue> b = before.get().limitFiles();
            List<CgroupLimits.FileValue> a = after.get().limitFiles();
            for (int i = 0; i < a.size(); i++) {
                out.append("  ").append(Text.safe(a.get(i).file().toString())).append(": ")
                        .append(Text.safe(b.get(i).value())).append(" -> ").append(Text.safe(a.get(i).value())).append('\n');
            }
        }
        return out.toString().stripTrailing();
    }

    /** What Gogo passes to {@code ns:set-limit}: the same as {@link #setlimit}, with its own usage line. */
    String setLimitFromArguments(List<Object> args) throws IOException {
        if (args.size() != 3) {
            throw new IllegalArgumentException("usage: ns:set-limit CONTAINER memory|cpu|pids VALUE (e.g. ns:set-limit web memory 64m)");
        }
        return setlimit(String.valueOf(args.get(0)), String.valueOf(args.get(1)), String.valueOf(args.get(2)));
    }

    private Containers containers() {
        return containers.get().orElseThrow(() -> new IllegalStateException(
                "the namespace tracker is not running (tracker:start namespace)"));
    }

    /**
     * The running container {@code word} names, as every command takes a container word.
     *
     * @throws IllegalArgumentException the kit's text for a word that names none or an
     *         ambiguous id prefix; or when it names the host or a container that is not running
     */
    private Container running(String word) {
        Containers all = containers();
        ContainerRef ref = ContainerWord.container(word, all, List.of(), "the host has no container namespaces or limits of its own");
        Container c = all.list().stream().filter(k -> k.ref().id().equals(ref.id())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(ContainerWord.notFound(word, List.of(), false)));
        if (!c.running() || c.pid() <= 0) {
            throw new IllegalArgumentException(Text.safe(c.ref().displayName()) + " is not running");
        }
        return c;
    }

    private static String name(Limit limit) {
        return limit.name().toLowerCase(Locale.ROOT);
    }

    private static String text(Container c, Map<NamespaceKind, Long> own, Map<NamespaceKind, Long> host,
            List<String> cgroupDirs, List<CgroupLimits.Reading> limits) {
        StringBuilder out = new StringBuilder();
        ContainerRef ref = c.ref();
        out.append(Text.safe(ref.displayName())).append(" (").append(Text.safe(ref.shortId())).append(", ")
                .append(Text.safe(ref.runtime()));
        if (!ref.image().isEmpty()) {
            out.append(", ").append(Text.safe(ref.image()));
        }
        out.append("), pid ").append(c.pid()).append('\n');
        Table namespaces = Table.of(Column.left("NAMESPACE").min(9), Column.left("CONTAINER").min(11),
                Column.left("HOST").min(11), Column.left(""));
        for (Map.Entry<NamespaceKind, Long> e : own.entrySet()) {
            Long h = host.get(e.getKey());
            namespaces.row(e.getKey().procName(), e.getValue(), h == null ? "?" : h, sharing(e.getValue(), h));
        }
        out.append(namespaces);
        out.append("CGROUPS\n");
        for (String dir : cgroupDirs) {
            out.append("  ").append(Text.safe(dir)).append('\n');
        }
        Table resources = Table.of(Column.left("RESOURCE").min(9), Column.left("LIMIT").min(11), Column.left("USAGE"));
        for (CgroupLimits.Reading r : limits) {
            resources.row(name(r.resource()), r.limit(), r.usage());
        }
        out.append(resources);
        return out.toString().stripTrailing();
    }

    private static String sharing(long own, Long host) {
        return host == null ? "" : own == host ? "shared with the host" : "own";
    }

    /** The container's keys as every output has them ({@link EventJson#container}), then what ns:show found. */
    private static String json(Container c, Map<NamespaceKind, Long> own, Map<NamespaceKind, Long> host,
            List<String> cgroupDirs, List<CgroupLimits.Reading> limits) {
        Map<String, Object> out = new LinkedHashMap<>(EventJson.container(c.ref()));
        out.put("pid", c.pid());
        List<Map<String, Object>> namespaces = new ArrayList<>();
        own.forEach((k, id) -> {
            Long h = host.get(k);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", k.procName());
            m.put("id", id);
            m.put("host", h);
            m.put("shared", h != null && h.longValue() == id);
            namespaces.add(m);
        });
        out.put("namespaces", namespaces);
        out.put("cgroups", cgroupDirs);
        List<Map<String, Object>> resources = new ArrayList<>();
        for (CgroupLimits.Reading r : limits) {
            Map<String, Object> files = new LinkedHashMap<>();
            for (CgroupLimits.FileValue f : r.limitFiles()) {
                files.put(f.file().toString(), f.value());
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("resource", name(r.resource()));
            m.put("limit", r.limit());
            m.put("usage", r.usage());
            m.put("files", files);
            resources.add(m);
        }
        out.put("limits", resources);
        return Json.of(out);
    }
}
