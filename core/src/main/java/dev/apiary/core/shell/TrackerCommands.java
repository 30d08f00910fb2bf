package dev.apiary.core.shell;

import dev.apiary.core.ApiaryRuntime;
import dev.apiary.core.config.Setting;
import dev.apiary.core.config.TrackerSettings;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.core.output.Json;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Text;
import dev.apiary.core.tracker.TrackerHandle;
import dev.apiary.core.tracker.TrackerManager;
import dev.apiary.core.tracker.TrackerManager.TrackerBundle;
import dev.apiary.core.tracker.TrackerState;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code tracker:*}: trackers are bundles, and these are their lifecycle, by tracker name. */
@Component(service = TrackerCommands.class, property = {
        "osgi.command.scope=tracker",
        "osgi.command.function=list",
        "osgi.command.function=info",
        "osgi.command.function=start",
        "osgi.command.function=stop",
        "osgi.command.function=install",
        "osgi.command.function=update",
        "osgi.command.function=uninstall",
        "osgi.command.function=config"})
public final class TrackerCommands {

    private static final Duration SETTLE = Duration.ofSeconds(20);

    private final ApiaryRuntime runtime;
    private final BundleContext bundleContext;
    private final ConfigurationAdmin configAdmin;

    @Activate
    public TrackerCommands(@Reference ApiaryRuntime runtime, @Reference ConfigurationAdmin configAdmin,
            BundleContext bundleContext) {
        this.runtime = runtime;
        this.configAdmin = configAdmin;
        this.bundleContext = bundleContext;
    }

    @Descriptor("list the installed trackers: state, bundle, events and why a failed one failed")
    public String list(@Descriptor("print JSON instead of a table") @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json) {
        List<TrackerBundle> trackers = manager().bundles();
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (TrackerBundle t : trackers) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name());
                m.put("state", t.state().name().toLowerCase());
                m.put("bundle", t.bundle().getSymbolicName());
                m.put("version", t.bundle().getVersion().toString());
                m.put("bundle_id", t.bundle().getBundleId());
                t.handle().ifPresent(h -> {
                    m.put("description", h.description());
                    m.put("event_types", h.eventTypes());
                    m.put("events", h.sources().stream().mapToLong(s -> s.events().total()).sum());
                    m.put("start_ms", h.startTime().toMillis());
                    m.put("error", h.error());
                });
                out.add(m);
            }
            return Json.pretty(out);
        }
        if (trackers.isEmpty()) {
            return "no trackers installed (tracker:install PATH, or drop a jar into deploy/)";
        }
        Table table = Table.of("NAME", "STATE", "BUNDLE", "VERSION", "EVENTS", "DESCRIPTION");
        for (TrackerBundle t : trackers) {
            String desc = t.handle().map(h -> h.state() == TrackerState.FAILED ? "error: " + h.error() : h.description())
                    .orElse("");
            long events = t.handle().map(h -> h.sources().stream().mapToLong(s -> s.events().total()).sum()).orElse(0L);
            table.row(t.name(), t.state().name().toLowerCase(), t.bundle().getSymbolicName() + " [" + t.bundle().getBundleId()
                    + "]", t.bundle().getVersion(), events, desc);
        }
        return table.toString();
    }

    @Descriptor("show a tracker: version, bundle, BPF programs and their attach points, maps and their sizes, "
            + "and its event types with every field and what it means")
    public String info(@Descriptor("print JSON instead of text") @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json, @Descriptor("tracker name, as tracker:list shows it") String name) {
        TrackerInfo info = TrackerInfo.of(require(name));
        return json ? Json.pretty(info) : info.toText();
    }

    @Descriptor("start a stopped tracker (starts its bundle and loads its BPF)")
    public String start(@Descriptor("tracker name, as tracker:list shows it") String name) throws BundleException {
        TrackerBundle t = require(name);
        if (t.state() == TrackerState.RUNNING) {
            return "tracker " + name + " is already running";
        }
        if (t.bundle().getState() == Bundle.ACTIVE) {
            // Active but failed: restart the bundle so the tracker loads again.
            t.bundle().stop();
        }
        t.bundle().start();
        return outcome(t.bundle(), name, "started");
    }

    @Descriptor("stop a tracker: detaches its programs and frees its maps; its bundle stays installed")
    public String stop(@Descriptor("tracker name") String name) throws BundleException {
        TrackerBundle t = require(name);
        if (t.bundle().getState() != Bundle.ACTIVE && t.bundle().getState() != Bundle.STARTING) {
            return "tracker " + name + " is not running";
        }
        t.bundle().stop();
        return "tracker " + name + " stopped";
    }

    @Descriptor("install a tracker bundle and start it, from a file path, a file:/http: URL, or a Maven coordinate "
            + "(group:artifact:version[:classifier], or mvn:group/artifact/version) in the local Maven repository")
    public String install(@Descriptor("path, URL or Maven coordinate of the tracker jar") String location)
            throws BundleException, IOException {
        String url = TrackerSources.toUrl(location, bundleContext);
        String declared = TrackerSources.trackerName(url);
        if (manager().bundle(declared).isPresent()) {
            throw new IllegalArgumentException("a tracker named " + declared + " is already installed; use tracker:update "
                    + declared + " " + location);
        }
        Bundle bundle;
        try {
            bundle = bundleContext.installBundle(url);
        } catch (BundleException e) {
            throw new IllegalArgumentException(location + " cannot be installed: " + e.getMessage());
        }
        try {
            bundle.start();
        } catch (BundleException e) {
            throw new IllegalStateException("installed tracker " + declared + " [" + bundle.getBundleId()
                    + "] but it does not start: " + TrackerSources.explain(e, bundleContext)
                    + "; fix it and tracker:update " + declared + " PATH, or tracker:uninstall " + declared);
        }
        return outcome(bundle, declared, "installed and started");
    }

    @Descriptor("update a tracker: reload its bundle from where it came from, or from a new path or URL")
    public String update(@Descriptor("tracker name") String name,
            @Descriptor("path or URL of the new jar (default: where it came from)") String... from)
            throws BundleException, IOException {
        if (from.length > 1) {
            throw new IllegalArgumentException("give one path or URL to update " + Text.safe(name) + " from, not " + from.length);
        }
        String location = from.length == 0 ? null : from[0];
        TrackerBundle t = require(name);
        try {
            if (location == null) {
                t.bundle().update();
            } else {
                String url = TrackerSources.toUrl(location, bundleContext);
                String declared = TrackerSources.trackerName(url);
                if (!declared.equals(name)) {
                    throw new IllegalArgumentException(location + " carries tracker " + declared + ", not " + name);
                }
                try (InputStream in = URI.create(url).toURL().openStream()) {
                    t.bundle().update(in);
                }
            }
        } catch (BundleException e) {
            throw new IllegalStateException("tracker " + name + " was not updated: " + TrackerSources.explain(e, bundleContext));
        }
        return outcome(t.bundle(), name, "updated");
    }

    @Descriptor("uninstall a tracker: stops it and removes its bundle")
    public String uninstall(@Descriptor("tracker name") String name) throws BundleException {
        TrackerBundle t = require(name);
        t.bundle().uninstall();
        return "tracker " + name + " uninstalled";
    }

    @Descriptor("show a tracker's settings (key, type, default, value, allowed values, what it changes), or change "
            + "some: tracker:config exec ring.kb=32768; a change restarts the tracker, keeping its pinned maps")
    public String config(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", presentValue = "true",
                    absentValue = "false") boolean json,
            @Descriptor("tracker name, as tracker:list shows it") String name,
            @Descriptor("key=value pairs to change (none: show the settings)") String... assignments) {
        TrackerBundle t = require(name);
        TrackerSettings settings = TrackerSettings.of(t.bundle(), configAdmin).orElseThrow(() -> new IllegalArgumentException(
                "tracker " + name + " has no settings (its bundle declares no @ObjectClassDefinition)"));
        if (assignments.length == 0) {
            List<Setting> list = settings.list();
            if (json) {
                return Json.pretty(Map.of("tracker", name, "pid", settings.pid(), "settings", list));
            }
            Table table = Table.of(Column.left("KEY"), Column.left("TYPE"), Column.right("DEFAULT"), Column.right("VALUE"),
                    Column.left("ALLOWED"), Column.left("DESCRIPTION"));
            for (Setting x : list) {
                table.row(x.key(), x.type(), x.defaultValue(), x.value() + (x.configured() ? "" : " "), x.allowed(),
                        x.description());
            }
            return "tracker " + name + ", configuration " + settings.pid() + " (conf/" + settings.pid() + ".cfg)\n" + table;
        }
        Map<String, String> changes = new LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + Text.safe(a) + "' is not key=value; tracker:config " + name
                        + " lists the keys");
            }
            changes.put(a.substring(0, eq).strip(), a.substring(eq + 1));
        }
        Object before = t.handle().orElse(null);
        Map<String, Object> stored = settings.change(changes);
        String what = stored.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(" "));
        if (before == null || t.state() != TrackerState.RUNNING) {
            return "tracker " + name + ": " + what + " stored; it applies when " + name + " starts";
        }
        return restarted(t.bundle(), name, before, what);
    }

    /** Waits for the tracker's component to come back with its new configuration, and says how it went. */
    private String restarted(Bundle bundle, String name, Object before, String what) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            var handle = manager().running().stream().filter(h -> h.bundle().getBundleId() == bundle.getBundleId())
                    .findFirst();
            if (handle.isPresent() && handle.get() != before) {
                TrackerHandle h = handle.get();
                if (h.state() == TrackerState.RUNNING) {
                    return "tracker " + name + ": " + what + "; restarted, running" + kept(h);
                }
                if (h.state() == TrackerState.FAILED) {
                    throw new IllegalStateException("tracker " + name + ": " + what + " stored, but it failed to restart: "
                            + h.error() + "\n(tracker:config " + name + " KEY=VALUE to change it back)");
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return "tracker " + name + ": " + what + " stored; it did not restart within " + SETTLE.toSeconds()
                + " s (see tracker:list)";
    }

    private TrackerBundle require(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name a tracker; installed: " + names());
        }
        return manager().bundle(name).orElseThrow(() -> new IllegalArgumentException(
                "no tracker named '" + name + "'; installed: " + names()));
    }

    private String names() {
        List<String> names = manager().bundles().stream().map(TrackerBundle::name).toList();
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private TrackerManager manager() {
        return runtime.trackers();
    }

    /** What became of its pinned maps, when it has some. */
    private static String kept(TrackerHandle handle) {
        List<String> said = handle.objects().stream().flatMap(o -> o.pinnedMaps().stream()).map(Object::toString).toList();
        return said.isEmpty() ? "" : "; pinned maps: " + String.join("; ", said);
    }

    /** Waits until the tracker is running or failed, and says which. */
    private String outcome(Bundle bundle, String name, String what) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            // By bundle, not by name: a tracker refused for its name is found too.
            var handle = manager().running().stream().filter(h -> h.bundle().getBundleId() == bundle.getBundleId())
                    .findFirst();
            if (handle.isPresent() && handle.get().state() == TrackerState.RUNNING) {
                return "tracker " + name + " " + what + ", running" + kept(handle.get());
            }
            if (handle.isPresent() && handle.get().state() == TrackerState.FAILED) {
                throw new IllegalStateException("tracker " + name + " " + what + " but failed: " + handle.get().error()
                        + "\n(it stays installed, as failed: fix it and tracker:update " + name + " PATH, or tracker:uninstall "
                        + name + ")");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("tracker " + name + " " + what + " but not running after " + SETTLE.toSeconds()
                + " s (see tracker:list)");
    }
}
