package dev.apiary.tracker.namespace;

import dev.apiary.sdk.Json;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.Containers.Limit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
            @Descriptor("a running container: name, id, or id prefix (3+ characters)") String container) throws IOException {
        Container c = running(container);
        Map<NamespaceKind, Long> own = namespaces.of(Integer.toString(c.pid()));
        if (own.isEmpty()) {
            throw new IllegalArgumentException(c.ref().displayName() + ": its process " + c.pid() + " is gone");
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
            throw new IllegalArgumentException(c.ref().displayName() + ": " + name(limit) + " not changed: " + e.getMessage());
        }
        Optional<CgroupLimits.Reading> after = reader.read(cgroups, limit);
        StringBuilder out = new StringBuilder();
        out.append(c.ref().displayName()).append(": ").append(name(limit)).append(" limit ")
                .append(before.map(CgroupLimits.Reading::limit).orElse("?")).append(" -> ")
                .append(after.map(CgroupLimits.Reading::limit).orElse("?")).append('\n');
        if (before.isPresent() && after.isPresent()) {
            List<CgroupLimits.FileValue> b = before.get().limitFiles();
            List<CgroupLimits.FileValue> a = after.get().limitFiles();
            for (int i = 0; i < a.size(); i++) {
                out.append("  ").append(a.get(i).file()).append(": ").append(b.get(i).value()).append(" -> ")
                        .append(a.get(i).value()).append('\n');
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

    private Container running(String word) {
        Container c = containers().find(word).orElseThrow(() -> new IllegalArgumentException("no container named '" + word
                + "' (give a name, an id or an id prefix; apiary:containers lists them)"));
        if (!c.running() || c.pid() <= 0) {
            throw new IllegalArgumentException(c.ref().displayName() + " is not running");
        }
        return c;
    }

    private static String name(Limit limit) {
        return limit.name().toLowerCase(Locale.ROOT);
    }

    private static String text(Container c, Map<NamespaceKind, Long> own, Map<NamespaceKind, Long> host,
            List<String> cgroupDirs, List<CgroupLimits.Reading> limits) {
        StringBuilder out = new StringBuilder();
        out.append(c.ref().displayName()).append(" (").append(c.ref().shortId()).append(", ").append(c.ref().runtime());
        if (!c.ref().image().isEmpty()) {
            out.append(", ").append(c.ref().image());
        }
        out.append("), pid ").append(c.pid()).append('\n');
        out.append(String.format(Locale.ROOT, "%-10s %-12s %-12s %s%n", "NAMESPACE", "CONTAINER", "HOST", ""));
        for (Map.Entry<NamespaceKind, Long> e : own.entrySet()) {
            Long h = host.get(e.getKey());
            out.append(String.format(Locale.ROOT, "%-10s %-12d %-12s %s%n", e.getKey().procName(), e.getValue(),
                    h == null ? "?" : h.toString(), sharing(e.getValue(), h)));
        }
        out.append("CGROUPS\n");
        for (String dir : cgroupDirs) {
            out.append("  ").append(dir).append('\n');
        }
        out.append(String.format(Locale.ROOT, "%-10s %-12s %s%n", "RESOURCE", "LIMIT", "USAGE"));
        for (CgroupLimits.Reading r : limits) {
            out.append(String.format(Locale.ROOT, "%-10s %-12s %s%n", name(r.resource()), r.limit(), r.usage()));
        }
        return out.toString().stripTrailing();
    }

    private static String sharing(long own, Long host) {
        return host == null ? "" : own == host ? "shared with the host" : "own";
    }

    private static String json(Container c, Map<NamespaceKind, Long> own, Map<NamespaceKind, Long> host,
            List<String> cgroupDirs, List<CgroupLimits.Reading> limits) {
        StringBuilder out = new StringBuilder("{");
        out.append("\"id\":").append(Json.string(c.ref().id()))
                .append(",\"name\":").append(Json.string(c.ref().name()))
                .append(",\"image\":").append(Json.string(c.ref().image()))
                .append(",\"runtime\":").append(Json.string(c.ref().runtime()))
                .append(",\"pid\":").append(c.pid())
                .append(",\"namespaces\":[");
        List<String> items = new ArrayList<>();
        own.forEach((k, id) -> {
            Long h = host.get(k);
            items.add("{\"kind\":" + Json.string(k.procName()) + ",\"id\":" + id + ",\"host\":" + (h == null ? "null" : h)
                    + ",\"shared\":" + (h != null && h.longValue() == id) + "}");
        });
        out.append(String.join(",", items)).append("],\"cgroups\":").append(Json.of(cgroupDirs)).append(",\"limits\":[");
        items.clear();
        for (CgroupLimits.Reading r : limits) {
            StringBuilder files = new StringBuilder("{");
            for (int i = 0; i < r.limitFiles().size(); i++) {
                CgroupLimits.FileValue f = r.limitFiles().get(i);
                files.append(i == 0 ? "" : ",").append(Json.string(f.file().toString())).append(':').append(Json.string(f.value()));
            }
            items.add("{\"resource\":" + Json.string(name(r.resource())) + ",\"limit\":" + Json.string(r.limit())
                    + ",\"usage\":" + Json.string(r.usage()) + ",\"files\":" + files.append('}') + "}");
        }
        return out.append(String.join(",", items)).append("]}").toString();
    }
}
