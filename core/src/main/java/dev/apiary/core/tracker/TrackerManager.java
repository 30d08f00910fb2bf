package dev.apiary.core.tracker;

import dev.apiary.bpf.BpfMap;
import dev.apiary.core.dispatch.Dispatcher;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventTypes;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every {@link Tracker} service that appears: loads its BPF through a
 * {@link BundleTrackerContext} as the service registers (so a tracker bundle that is active
 * has a tracker that runs or failed), and when the service goes away (its
 * bundle stops, updates or is uninstalled) stops it and frees everything it opened before
 * the bundle's stop completes. A tracker that fails to start is kept as FAILED with its
 * reason; the runtime and the other trackers go on.
 */
public final class TrackerManager implements AutoCloseable {

    /** Manifest header naming the tracker a bundle carries, set by apiary-tracker-parent. */
    public static final String TRACKER_HEADER = TrackerName.HEADER;

    private static final Logger LOG = LoggerFactory.getLogger(TrackerManager.class);

    private final BundleContext bundleContext;
    private final Dispatcher dispatcher;
    private final Containers containers;
    private final Optional<BpfMap> watched;
    private final int wakeupBytes;
    private final TrackerPins pins;
    private final DeferredCloser closer = new DeferredCloser(CLOSE_DELAY);
    private final ServiceTracker<Tracker, TrackerHandle> services;
    private final BundleListener uninstalls;

    public TrackerManager(BundleContext bundleContext, Dispatcher dispatcher, Containers containers,
            Optional<BpfMap> watched, int wakeupBytes, TrackerPins pins) {
        this.bundleContext = bundleContext;
        this.dispatcher = dispatcher;
        this.containers = containers;
        this.watched = watched;
        this.wakeupBytes = wakeupBytes;
        this.pins = pins;
        this.services = new ServiceTracker<>(bundleContext, Tracker.class, null) {
            @Override
            public TrackerHandle addingService(ServiceReference<Tracker> reference) {
                Tracker tracker = bundleContext.getService(reference);
                if (tracker == null) {
                    return null;
                }
                Bundle bundle = reference.getBundle();
                String name;
                try {
                    name = tracker.name();
                } catch (RuntimeException | LinkageError e) {
                    name = String.valueOf(bundle.getHeaders().get(TRACKER_HEADER));
                }
                TrackerHandle handle = new TrackerHandle(tracker, name, bundle);
                TrackerResources resources = new TrackerResources(name);
                Optional<String> refused = refusal(name, bundle);
                if (refused.isPresent()) {
                    handle.failed(refused.get());
                    LOG.error("tracker of bundle {} refused: {}", bundle.getSymbolicName(), refused.get());
                    return handle;
                }
                handle.starting(new BundleTrackerContext(name, bundle, dispatcher, containers, watched, wakeupBytes,
                        resources, pins.folder(name), closer), resources);
                // Started here, synchronously: once a tracker's bundle is active, its tracker is
                // running or failed, so commands run right after start see it settled.
                start(handle);
                return handle;
            }

            @Override
            public void removedService(ServiceReference<Tracker> reference, TrackerHandle handle) {
                stop(handle);
                bundleContext.ungetService(reference);
            }
        };
        // A tracker's pinned maps outlive its stops and updates, not its bundle.
        this.uninstalls = event -> {
            if (event.getType() == BundleEvent.UNINSTALLED) {
                String declared = event.getBundle().getHeaders().get(TRACKER_HEADER);
                if (declared != null && NAME.matcher(declared.trim()).matches() && bundle(declared.trim()).isEmpty()) {
                    pins.remove(declared.trim());
                }
            }
        };
    }

    /** A tracker's name: what commands and events call it, and its folder of pinned maps. */
    public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    /** Why a tracker cannot run under this name, if it cannot. */
    private Optional<String> refusal(String name, Bundle bundle) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.of("its name '" + name + "' is not a tracker name: lower case letters, digits, '-' and '_',"
                    + " starting with a letter, at most 32 (Tracker.name())");
        }
        String declared = bundle.getHeaders().get(TRACKER_HEADER);
        if (declared == null || !declared.trim().equals(name)) {
            return Optional.of("its bundle's " + TRACKER_HEADER + " header says '" + declared + "' but its Tracker service is "
                    + "named '" + name + "': make them the same (apiary-tracker-parent sets the header from ${apiary.tracker})");
        }
        for (TrackerHandle other : services.getTracked().values()) {
            if (other.name().equals(name) && other.bundle().getBundleId() != bundle.getBundleId()) {
                return Optional.of("the name '" + name + "' is taken by bundle " + other.bundle().getSymbolicName() + " ["
                        + other.bundle().getBundleId() + "]: rename this tracker, or tracker:update " + name
                        + " to replace that one");
            }
        }
        return Optional.empty();
    }

    public void open() {
        bundleContext.addBundleListener(uninstalls);
        services.open();
    }

    private void start(TrackerHandle handle) {
        long began = System.nanoTime();
        try {
            // Its events name their tracker and type from this one declaration (Event.tracker()).
            EventTypes.bind(handle.name(), handle.tracker().events());
            handle.tracker().start(handle.contextForStart());
            handle.running(Duration.ofNanos(System.nanoTime() - began));
            LOG.info("tracker {} running ({} ms)", handle.name(), handle.startTime().toMillis());
        } catch (Exception | LinkageError e) {
            String why = StartFailure.describe(e, handle.bundle());
            handle.failed(why);
            handle.resources().close();
            LOG.error("tracker {} failed to start: {}", handle.name(), why);
            LOG.debug("tracker {} start failure", handle.name(), e);
        }
    }

    private void stop(TrackerHandle handle) {
        if (handle.resources() == null) {
            return; // refused: never started
        }
        try {
            if (handle.state() == TrackerState.RUNNING) {
                handle.tracker().stop();
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("tracker {} threw while stopping", handle.name(), e);
        } finally {
            handle.resources().close();
        }
        LOG.info("tracker {} stopped", handle.name());
    }

    /** Trackers whose service is registered now, by name. */
    public List<TrackerHandle> running() {
        List<TrackerHandle> out = new ArrayList<>(services.getTracked().values());
        out.sort(Comparator.comparing(TrackerHandle::name));
        return out;
    }

    public Optional<TrackerHandle> find(String name) {
        return running().stream().filter(h -> h.name().equals(name)).findFirst();
    }

    /** Installed bundles that carry a tracker (header {@value #TRACKER_HEADER}, or a registered tracker). */
    public List<TrackerBundle> bundles() {
        List<TrackerBundle> out = new ArrayList<>();
        for (Bundle b : bundleContext.getBundles()) {
            String declared = b.getHeaders().get(TRACKER_HEADER);
            Optional<TrackerHandle> live = running().stream().filter(h -> h.bundle().getBundleId() == b.getBundleId())
                    .findFirst();
            if (declared != null && !declared.isBlank() || live.isPresent()) {
                // The header names it: a tracker refused for calling itself otherwise is still found by it.
                String name = declared != null && !declared.isBlank() ? declared.trim() : live.get().name();
                out.add(new TrackerBundle(name, b, live));
            }
        }
        out.sort(Comparator.comparing(TrackerBundle::name));
        return out;
    }

    /** The bundle of the tracker a user named. */
    public Optional<TrackerBundle> bundle(String name) {
        return bundles().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** A tracker bundle, running or not. */
    public record TrackerBundle(String name, Bundle bundle, Optional<TrackerHandle> handle) {
        public TrackerState state() {
            return handle.map(TrackerHandle::state).orElse(TrackerState.STOPPED);
        }
    }

    /** Stops every tracker and frees what they opened. */
    @Override
    public void close() {
        bundleContext.removeBundleListener(uninstalls);
        services.close();
        closer.close();
    }

    /** How long a stopped tracker's paused programs stay attached: past a new version's attach. */
    static final Duration CLOSE_DELAY = Duration.ofSeconds(2);
}
