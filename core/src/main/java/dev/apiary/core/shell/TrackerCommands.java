package dev.apiary.core.shell;

import dev.apiary.core.ApiaryRuntime;
import dev.apiary.core.output.Json;
import dev.apiary.core.output.Table;
import dev.apiary.core.tracker.TrackerManager;
import dev.apiary.core.tracker.TrackerManager.TrackerBundle;
import dev.apiary.core.tracker.TrackerState;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code tracker:*}: trackers are bundles, and these are their lifecycle, by tracker name. */
@Component(service = TrackerCommands.class, property = {
        "osgi.command.scope=tracker",
        "osgi.command.function=list",
        "osgi.command.function=start",
        "osgi.command.function=stop",
        "osgi.command.function=install",
        "osgi.command.function=update",
        "osgi.command.function=uninstall"})
public final class TrackerCommands {

    private static final Duration SETTLE = Duration.ofSeconds(20);

    private final ApiaryRuntime runtime;
    private final BundleContext bundleContext;

    @Activate
    public TrackerCommands(@Reference ApiaryRuntime runtime, BundleContext bundleContext) {
        this.runtime = runtime;
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
        Table table = new Table("NAME", "STATE", "BUNDLE", "VERSION", "EVENTS", "DESCRIPTION");
        for (TrackerBundle t : trackers) {
            String desc = t.handle().map(h -> h.state() == TrackerState.FAILED ? "error: " + h.error() : h.description())
                    .orElse("");
            long events = t.handle().map(h -> h.sources().stream().mapToLong(s -> s.events().total()).sum()).orElse(0L);
            table.row(t.name(), t.state().name().toLowerCase(), t.bundle().getSymbolicName() + " [" + t.bundle().getBundleId()
                    + "]", t.bundle().getVersion(), events, desc);
        }
        return table.toString();
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
        return outcome(name, "started");
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

    @Descriptor("install a tracker bundle from a file path or URL and start it")
    public String install(@Descriptor("path or URL of the tracker jar") String location) throws BundleException, IOException {
        String url = toUrl(location);
        String declared = trackerHeader(url);
        if (declared == null) {
            throw new IllegalArgumentException(location + " is not a tracker bundle: its manifest has no "
                    + TrackerManager.TRACKER_HEADER + " header");
        }
        if (manager().bundle(declared).isPresent()) {
            throw new IllegalArgumentException("a tracker named " + declared + " is already installed; use tracker:update "
                    + declared + " " + location);
        }
        Bundle bundle = bundleContext.installBundle(url);
        try {
            bundle.start();
        } catch (BundleException e) {
            return "installed " + declared + " [" + bundle.getBundleId() + "] but it does not start: " + e.getMessage();
        }
        return outcome(declared, "installed and started");
    }

    @Descriptor("update a tracker: reload its bundle from where it came from, or from a new path or URL")
    public String update(@Descriptor("tracker name") String name) throws BundleException, IOException {
        return update(name, null);
    }

    @Descriptor("update a tracker: reload its bundle from a new path or URL")
    public String update(@Descriptor("tracker name") String name,
            @Descriptor("path or URL of the new jar") String location) throws BundleException, IOException {
        TrackerBundle t = require(name);
        if (location == null) {
            t.bundle().update();
        } else {
            String url = toUrl(location);
            String declared = trackerHeader(url);
            if (declared != null && !declared.equals(name)) {
                throw new IllegalArgumentException(location + " carries tracker " + declared + ", not " + name);
            }
            try (InputStream in = URI.create(url).toURL().openStream()) {
                t.bundle().update(in);
            }
        }
        return outcome(name, "updated");
    }

    @Descriptor("uninstall a tracker: stops it and removes its bundle")
    public String uninstall(@Descriptor("tracker name") String name) throws BundleException {
        TrackerBundle t = require(name);
        t.bundle().uninstall();
        return "tracker " + name + " uninstalled";
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

    /** Waits until the tracker is running or failed, and says which. */
    private String outcome(String name, String what) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            var handle = manager().find(name);
            if (handle.isPresent() && handle.get().state() == TrackerState.RUNNING) {
                return "tracker " + name + " " + what + ", running";
            }
            if (handle.isPresent() && handle.get().state() == TrackerState.FAILED) {
                throw new IllegalStateException("tracker " + name + " " + what + " but failed: " + handle.get().error());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return "tracker " + name + " " + what + "; not running yet (see tracker:list)";
    }

    static String toUrl(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("give a path or URL of a tracker jar");
        }
        try {
            URI uri = new URI(location);
            if (uri.getScheme() != null && uri.getScheme().length() > 1) {
                return uri.toString();
            }
        } catch (URISyntaxException e) {
            // a path with characters URIs do not allow
        }
        Path path = Path.of(location).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no such file: " + path);
        }
        return path.toUri().toString();
    }

    /** The tracker header of the jar at url, or null when it has none. */
    static String trackerHeader(String url) throws IOException {
        try (InputStream in = URI.create(url).toURL().openStream(); JarInputStream jar = new JarInputStream(in)) {
            Manifest mf = jar.getManifest();
            if (mf == null) {
                throw new IllegalArgumentException(url + " is not a bundle jar: it has no manifest");
            }
            String name = mf.getMainAttributes().getValue(TrackerManager.TRACKER_HEADER);
            return name == null || name.isBlank() ? null : name.trim();
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(url + " is not a bundle jar: " + e.getMessage());
        }
    }
}
