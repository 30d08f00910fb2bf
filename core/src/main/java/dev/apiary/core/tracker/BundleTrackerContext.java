package dev.apiary.core.tracker;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.PinnedMap;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.bpf.WatchRules;
import dev.apiary.core.dispatch.Dispatcher;
import dev.apiary.core.dispatch.RingSource;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.TrackerContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tracker's context: loads BPF objects from the tracker's own bundle, registers their
 * rings with the dispatcher, and records everything it opened so that core frees it when
 * the tracker stops.
 */
final class BundleTrackerContext implements TrackerContext {

    static final String EVENTS_MAP = "apiary_events";
    static final String WATCHED_MAP = WatchRules.MAP;
    static final String WAKEUP_GLOBAL = "apiary_wakeup_bytes";

    private static final Logger LOG = LoggerFactory.getLogger(BundleTrackerContext.class);

    private final String name;
    private final Bundle bundle;
    private final Dispatcher dispatcher;
    private final Containers containers;
    private final Optional<BpfMap> watched;
    private final int wakeupBytes;
    private final TrackerResources resources;
    private final Path pinFolder;
    private final DeferredCloser closer;
    private final List<RingSource> sources = new CopyOnWriteArrayList<>();
    private final List<BpfObject> objects = new CopyOnWriteArrayList<>();

    BundleTrackerContext(String name, Bundle bundle, Dispatcher dispatcher, Containers containers,
            Optional<BpfMap> watched, int wakeupBytes, TrackerResources resources, Path pinFolder, DeferredCloser closer) {
        this.name = name;
        this.bundle = bundle;
        this.dispatcher = dispatcher;
        this.containers = containers;
        this.watched = watched;
        this.wakeupBytes = wakeupBytes;
        this.resources = resources;
        this.pinFolder = pinFolder;
        this.closer = closer;
    }

    @Override
    public String trackerName() {
        return name;
    }

    @Override
    public BpfObject load(String resource, Consumer<BpfObject> configure, EventDecoder decoder) {
        // Maps declared with LIBBPF_PIN_BY_NAME live in the tracker's folder, across its updates.
        BpfObject obj = BpfObject.open(readResource(resource), name, pinFolder);
        Optional<BpfMap> pause = obj.maps().stream().filter(m -> m.name().endsWith(PAUSE_SECTION)).findFirst();
        // With apiary_paused (apiary/watch.h) set, the programs do nothing: their links, whose
        // closing waits for the kernel, can go in the background. Without it, before stop returns.
        resources.add(pause.isPresent() ? () -> closer.closeLater(name, obj) : obj);
        resources.add(() -> objects.remove(obj));
        watched.ifPresent(shared -> obj.findMap(WATCHED_MAP).ifPresent(map -> map.reuseFd(shared.fd())));
        Optional<BpfMap> events = obj.findMap(EVENTS_MAP);
        if (decoder != null) {
            // Before anything is loaded: a changed C struct refuses the start, naming the field.
            EventDecoder.checkLayouts(decoder, obj);
        }
        if (configure != null) {
            configure.accept(obj);
        }
        if (events.isPresent() && obj.globals().contains(WAKEUP_GLOBAL)) {
            // Wake the dispatcher only once this much waits (it also polls on a short timeout),
            // at most half the ring as configure sized it.
            obj.globals().set(WAKEUP_GLOBAL, Math.min(wakeupBytes, events.get().maxEntries() / 2));
        }
        for (PinnedMap pin : obj.reconcilePins()) {
            if (pin.outcome() == PinnedMap.Outcome.INCOMPATIBLE) {
                LOG.warn("tracker {}: {}", name, pin);
            } else {
                LOG.info("tracker {}: pinned map {}", name, pin);
            }
        }
        obj.load();
        objects.add(obj);
        if (watched.isEmpty()) {
            // No shared scope (core runs without its own object, as in tests): watch everything.
            obj.findMap(WATCHED_MAP).ifPresent(map -> map.update(Bytes.u32(0), new byte[] {1}));
        }
        obj.attachAll();
        if (decoder != null) {
            if (events.isEmpty()) {
                throw new IllegalArgumentException("BPF object " + resource + " of tracker " + name
                        + " has a decoder but no " + EVENTS_MAP + " ring buffer (include apiary/apiary.h)");
            }
            RingBuffer ring = obj.ringBuffer();
            resources.add(ring);
            RingSource source = dispatcher.register(name, ring, decoder);
            sources.add(source);
            resources.add(() -> {
                dispatcher.unregister(source);
                sources.remove(source);
            });
        }
        pause.ifPresent(map -> resources.add(() -> map.update(Bytes.u32(0), Bytes.u32(1))));
        return obj;
    }

    /** libbpf's map for the data section {@code .data.apiary_paused} of apiary/watch.h. */
    static final String PAUSE_SECTION = ".data.apiary_paused";


    private byte[] readResource(String resource) {
        URL url = bundle.getEntry(resource.startsWith("/") ? resource : "/" + resource);
        if (url == null) {
            throw new IllegalArgumentException("bundle " + bundle.getSymbolicName() + " has no " + resource);
        }
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from bundle " + bundle.getSymbolicName(), e);
        }
    }

    @Override
    public Containers containers() {
        return containers;
    }

    @Override
    public Subscription subscribe(String subscriberName, EventSubscriber subscriber) {
        Subscription subscription = dispatcher.subscribe(name + "/" + subscriberName, subscriber);
        resources.add(subscription);
        return subscription;
    }

    /** The BPF objects it loaded and has open. */
    List<BpfObject> objects() {
        return List.copyOf(objects);
    }

    /** The rings this tracker registered, for statistics. */
    List<RingSource> sources() {
        return List.copyOf(sources);
    }
}
