package dev.apiary.sdk.testing;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventTypes;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link TrackerContext} for a tracker's own BPF test (root, {@code @RequiresBpf}): the
 * tracker is {@linkplain Tracker#start started} with it as core starts it, and the test reads
 * the ring on its own thread with {@link #pump()}.
 *
 * <p>{@link #load} does what core's context does, in core's order:
 * <ol>
 * <li>opens the object from the test classpath (the tracker's {@code target/classes}, e.g.
 *     {@code bpf/exec.bpf.o}), named after the tracker, with a pin folder of this context's own
 *     ({@code /sys/fs/bpf/apiary-test-<tracker>-<random>}, made only when a map is pinned);</li>
 * <li>with a decoder, checks the event header and the decoder's {@linkplain EventDecoder#layouts() layouts}
 *     against the object's BTF;</li>
 * <li>runs the tracker's {@code configure};</li>
 * <li>reconciles pinned maps, loads;</li>
 * <li>watches everything: enters the watch-all key (0 → 1) in {@code apiary_watched}, as core
 *     does when it has no watched map of its own to share ({@link #watchingNothing()} leaves
 *     the map empty instead);</li>
 * <li>attaches every program set to auto-attach;</li>
 * <li>with a decoder, opens a reader on the {@code apiary_events} ring (an object with a
 *     decoder but no ring is refused, as core refuses it).</li>
 * </ol>
 *
 * <p>Unlike core: there is no dispatcher thread, and nothing is read until the test calls
 * {@link #pump()}, which decodes what waits in the rings and delivers it at once, on the
 * caller's thread, to every open subscriber whose filter matches (no queues: a subscriber's
 * {@code queueCapacity} is never reached, nothing is dropped). The container of a record is
 * {@code containers().ofCgroup(cgroup id)}, with no holding back for metadata. Core's
 * {@code apiary_wakeup_bytes} is not set (the test does not wait for wake-ups), no
 * watch scope but everything (or nothing) is entered, and a decoder's exception is not
 * counted but thrown to the test.
 *
 * <p>Who closes what: the objects {@link #load} returns and the subscriptions belong to this
 * context, as they belong to core: the tracker never closes them, and neither does the test.
 * The test stops the tracker, then {@link #close() closes} this context (try-with-resources),
 * which closes the subscriptions, the rings and the objects (detaching their programs) and
 * removes the pin folder. The containers are the test's. Safe for concurrent use (a command
 * may subscribe from another thread); {@link #pump()} runs one call at a time.
 */
public final class TestTrackerContext implements TrackerContext, AutoCloseable {

    private static final String EVENTS_MAP = "apiary_events";
    private static final String WATCHED_MAP = "apiary_watched";

    private final String trackerName;
    private final Containers containers;
    private final Path pinFolder;
    private final TestEvents events = new TestEvents();
    private final List<EventSubscriber> subscribers = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<BpfObject> objects = new CopyOnWriteArrayList<>();
    private final List<Loaded> rings = new CopyOnWriteArrayList<>();
    private volatile boolean watchAll = true;
    private volatile boolean closed;
    private long delivered;

    private record Loaded(RingBuffer ring, EventDecoder decoder) {}

    /** For {@code trackerName}, on the host alone: no container runs, every record is the host's. */
    public TestTrackerContext(String trackerName) {
        this(trackerName, TestContainers.running());
    }

    /** For {@code trackerName} with {@code containers} as the containers core knows (e.g. a {@link TestContainers}). */
    public TestTrackerContext(String trackerName, Containers containers) {
        this.trackerName = trackerName;
        this.containers = containers;
        this.pinFolder = Path.of("/sys/fs/bpf/apiary-test-" + trackerName + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /**
     * Starts {@code tracker} with this context as core starts it: binds its
     * {@linkplain Tracker#events() event types} ({@link EventTypes#bind(Tracker)}), then calls
     * {@link Tracker#start}.
     *
     * @return the tracker
     */
    public <T extends Tracker> T start(T tracker) throws Exception {
        EventTypes.bind(tracker);
        tracker.start(this);
        return tracker;
    }

    /** Leaves {@code apiary_watched} empty in the objects loaded from now on: no task is watched. */
    public TestTrackerContext watchingNothing() {
        watchAll = false;
        return this;
    }

    @Override
    public String trackerName() {
        return trackerName;
    }

    @Override
    public BpfObject load(String resource, Consumer<BpfObject> configure, EventDecoder decoder) {
        if (closed) {
            throw new IllegalStateException("the test context of " + trackerName + " is closed");
        }
        BpfObject obj = BpfObject.open(read(resource), trackerName, pinFolder);
        objects.add(obj); // closed with the context, also when a step below fails
        if (decoder != null && obj.findMap(EVENTS_MAP).isEmpty()) {
            throw new IllegalArgumentException("BPF object " + resource + " of tracker " + trackerName
                    + " has a decoder but no " + EVENTS_MAP + " ring buffer (include apiary/apiary.h)");
        }
        if (decoder != null) {
            EventDecoder.checkLayouts(decoder, obj);
        }
        if (configure != null) {
            configure.accept(obj);
        }
        if (obj.maps().stream().anyMatch(m -> m.pinPath().isPresent())) {
            try {
                Files.createDirectories(pinFolder);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make the pin folder " + pinFolder, e);
            }
        }
        obj.reconcilePins();
        obj.load();
        if (watchAll) {
            obj.findMap(WATCHED_MAP).ifPresent(map -> map.update(Bytes.u32(0), new byte[] {1}));
        }
        obj.attachAll();
        if (decoder != null) {
            rings.add(new Loaded(obj.ringBuffer(), decoder));
        }
        return obj;
    }

    private static byte[] read(String resource) {
        String name = resource.startsWith("/") ? resource.substring(1) : resource;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = TestTrackerContext.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no " + name + " on the test classpath (was the tracker's "
                        + "src/main/bpf compiled into target/classes?)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the test classpath", e);
        }
    }

    /**
     * Reads every record waiting now in the rings of the objects loaded with a decoder, decodes
     * each with its decoder and delivers it to the open subscribers whose filter matches.
     *
     * @return the events decoded, in the order read (a record the decoder drops is not among them)
     */
    public synchronized List<Event> pump() {
        List<Event> out = new ArrayList<>();
        for (Loaded l : rings) {
            l.ring().consume(record -> {
                EventHeader header = EventHeader.read(record);
                Event e = l.decoder().decode(record, header, containers.ofCgroup(header.cgroupId()));
                if (e != null) {
                    out.add(e);
                    delivered++;
                    events.publish(e);
                }
            });
        }
        return out;
    }

    /** The objects loaded so far, in order. */
    public List<BpfObject> objects() {
        return List.copyOf(objects);
    }

    /** The one object loaded: what a tracker with one object loaded in {@code start}. */
    public BpfObject object() {
        if (objects.size() != 1) {
            throw new IllegalStateException(trackerName + " loaded " + objects.size() + " objects, not one");
        }
        return objects.get(0);
    }

    /** Every subscriber the tracker subscribed, in order, its closed ones included. */
    public List<EventSubscriber> subscribers() {
        return List.copyOf(subscribers);
    }

    /** Events {@link #pump()} decoded so far. */
    public synchronized long delivered() {
        return delivered;
    }

    /** Records the kernel could not put in the rings because they were full, so far. */
    public long lost() {
        return rings.stream().mapToLong(l -> l.ring().lostCount()).sum();
    }

    @Override
    public Containers containers() {
        return containers;
    }

    @Override
    public Subscription subscribe(String name, EventSubscriber subscriber) {
        if (closed) {
            throw new IllegalStateException("the test context of " + trackerName + " is closed");
        }
        subscribers.add(subscriber);
        Subscription s = events.subscribe(trackerName + "/" + name, subscriber);
        subscriptions.add(s);
        return s;
    }

    /** Closes the subscriptions, the rings and the objects, last first, and removes the pin folder. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscriptions.reversed().forEach(Subscription::close);
        rings.reversed().forEach(l -> l.ring().close());
        objects.reversed().forEach(BpfObject::close);
        removePinFolder();
    }

    private void removePinFolder() {
        if (!Files.isDirectory(pinFolder)) {
            return;
        }
        try (var pins = Files.list(pinFolder)) {
            for (Path p : pins.toList()) {
                Files.delete(p);
            }
            Files.delete(pinFolder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the test pin folder " + pinFolder, e);
        }
    }
}
