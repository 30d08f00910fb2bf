package dev.apiary.core.dispatch;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.bpf.RingPoller;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.Tail;
import dev.apiary.sdk.EventFilter;
import java.util.function.Predicate;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that reads every tracker's ring buffer: it waits on all of them with one
 * epoll set, decodes records in place, attaches the container, and offers each event to
 * every subscriber's bounded queue.
 *
 * <p>Registering and unregistering rings and subscribing are safe from any thread.
 * {@link #unregister} returns only once the dispatcher thread no longer touches the ring,
 * so the caller may then close it.
 *
 * <p>Records of a container the runtime API has not named yet are held back (copied) for
 * up to {@code holdLimit} and re-resolved every round, so that a container living only
 * milliseconds still gets its name; events of one container keep their order.
 */
public final class Dispatcher implements Events, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final int MAX_HELD = 65_536;

    private final ContainerLookup containers;
    private final Duration pollInterval;
    private final long holdLimitNanos;
    private final RingPoller poller = new RingPoller();
    private final ConcurrentLinkedQueue<Runnable> actions = new ConcurrentLinkedQueue<>();
    private final CopyOnWriteArrayList<RingSource> sources = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Inbox> subscribers = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final Map<Long, Integer> heldPerCgroup = new HashMap<>();
    private final Thread thread;
    private volatile boolean running;
    /** The size of {@code held} for other threads; {@code held} itself is the dispatcher's. */
    private volatile int heldCount;
    /** Sources in dispatch order, touched only by the dispatcher thread. */
    private final List<Router> routers = new ArrayList<>();
    /** Owner-drained rings, touched only by the dispatcher thread. */
    private final List<Runnable> housekeeping = new ArrayList<>();

    private record Held(Router router, MemorySegment record, EventHeader header, long deadline) {}

    public Dispatcher(ContainerLookup containers, Duration pollInterval, Duration holdLimit) {
        this.containers = Objects.requireNonNull(containers);
        this.pollInterval = pollInterval;
        this.holdLimitNanos = holdLimit.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("apiary-dispatcher").unstarted(this::run);
    }

    public void start() {
        running = true;
        thread.start();
    }

    /** Starts dispatching {@code ring}'s records through {@code decoder}, from the next round on. */
    public RingSource register(String tracker, RingBuffer ring, EventDecoder decoder) {
        RingSource source = new RingSource(tracker, ring, decoder);
        poller.add(ring);
        sources.add(source);
        actions.add(() -> routers.add(new Router(source)));
        return source;
    }

    /**
     * Adds a ring that its owner drains itself (core's cgroup learning): its fd joins the epoll
     * set, and {@code drain} runs on the dispatcher thread at the start of every round, before
     * any tracker's records are resolved. For the life of the dispatcher.
     */
    public void addHousekeeping(RingBuffer ring, Runnable drain) {
        poller.add(ring);
        actions.add(() -> housekeeping.add(drain));
    }

    /**
     * Stops dispatching a source: records still in its ring are delivered first. Returns once
     * the dispatcher thread is done with the ring (at most one round later).
     */
    public void unregister(RingSource source) {
        if (!sources.remove(source)) {
            return;
        }
        poller.remove(source.ring());
        if (!running || Thread.currentThread() == thread) {
            removeRouter(source);
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        actions.add(() -> {
            try {
                removeRouter(source);
            } finally {
                done.countDown();
            }
        });
        try {
            if (!done.await(pollInterval.toMillis() * 10 + 5000, TimeUnit.MILLISECONDS)) {
                LOG.warn("dispatcher did not release ring {} in time", source.ring().name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void removeRouter(RingSource source) {
        for (Iterator<Router> it = routers.iterator(); it.hasNext(); ) {
            Router r = it.next();
            if (r.source == source) {
                drain(r);
                it.remove();
            }
        }
        // Held records of a tracker that goes away are delivered now: nothing is lost.
        held.removeIf(h -> {
            if (h.router.source == source) {
                release(h);
                return true;
            }
            return false;
        });
    }

    @Override
    public Subscription subscribe(String name, EventSubscriber subscriber) {
        SubscriberQueue queue = new SubscriberQueue(name, subscriber, subscribers::remove);
        subscribers.add(queue);
        queue.start();
        return queue;
    }

    /** A tail whose queue this dispatcher fills directly; see {@link Events#tail}. */
    @Override
    public Tail tail(String name, EventFilter filter, Predicate<? super Event> where, int capacity) {
        TailQueue tail = new TailQueue(name, filter, where, capacity, subscribers::remove);
        subscribers.add(tail);
        return tail;
    }

    /** Every registered source, for statistics. */
    public List<RingSource> sources() {
        return List.copyOf(sources);
    }

    /** Every subscription, for statistics. */
    public List<Subscription> subscriptions() {
        return List.copyOf(subscribers);
    }

    /** Records held back waiting for a container's name, as of the last round. */
    public int heldBack() {
        return heldCount;
    }

    private void run() {
        while (running) {
            try {
                runActions();
                poller.await(pollInterval);
                runActions();
                for (int i = 0; i < housekeeping.size(); i++) {
                    housekeeping.get(i).run();
                }
                releaseHeld(false);
                for (int i = 0; i < routers.size(); i++) {
                    drain(routers.get(i));
                }
                heldCount = held.size();
            } catch (RuntimeException | Error e) {
                LOG.error("dispatcher round failed; going on", e);
                sleepQuietly();
            }
        }
        runActions();
        releaseHeld(true);
    }

    private void drain(Router router) {
        try {
            RingSource source = router.source;
            long waiting = source.ring().available(); // two loads a round, not a record
            if (waiting > source.peakBacklog) {
                source.peakBacklog = waiting;
            }
            source.ring().consume(router);
        } catch (RuntimeException e) {
            router.source.decodeErrors.increment();
            router.source.lastDecodeError = String.valueOf(e);
        }
    }

    private void runActions() {
        Runnable action;
        while ((action = actions.poll()) != null) {
            action.run();
        }
    }

    /** Routes one source's records; one class for all sources keeps the ring's call site monomorphic. */
    private final class Router implements RingBuffer.RecordHandler {
        final RingSource source;

        Router(RingSource source) {
            this.source = source;
        }

        @Override
        public void onRecord(MemorySegment record) {
            if (record.byteSize() < EventHeader.SIZE) {
                source.decodeErrors.increment();
                source.lastDecodeError = "record of " + record.byteSize() + " bytes is shorter than the event header";
                return;
            }
            EventHeader header = EventHeader.read(record);
            ContainerRef container = containers.resolve(header.cgroupId());
            boolean olderHeld = !heldPerCgroup.isEmpty() && heldPerCgroup.containsKey(header.cgroupId());
            if ((olderHeld || containers.awaitingMetadata(container)) && held.size() < MAX_HELD) {
                hold(this, record, header);
                return;
            }
            deliver(source, record, header, container);
        }
    }

    private void hold(Router router, MemorySegment record, EventHeader header) {
        // Its own automatic arena: the copy is freed once delivered and dropped by every subscriber.
        MemorySegment copy = Arena.ofAuto().allocate(record.byteSize(), 8).copyFrom(record);
        held.add(new Held(router, copy, header, System.nanoTime() + holdLimitNanos));
        heldPerCgroup.merge(header.cgroupId(), 1, Integer::sum);
    }

    /** Delivers held records whose container is now named, or whose time is up, in order. */
    private void releaseHeld(boolean all) {
        if (held.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        Map<Long, Boolean> stillWaiting = new HashMap<>();
        for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            long cgroup = h.header.cgroupId();
            boolean wait = !all && now < h.deadline && stillWaiting.computeIfAbsent(cgroup,
                    id -> containers.awaitingMetadata(containers.resolve(id)));
            if (wait) {
                continue;
            }
            it.remove();
            release(h);
        }
    }

    private void release(Held h) {
        heldPerCgroup.computeIfPresent(h.header.cgroupId(), (k, n) -> n == 1 ? null : n - 1);
        deliver(h.router.source, h.record, h.header, containers.resolve(h.header.cgroupId()));
    }

    private void deliver(RingSource source, MemorySegment record, EventHeader header, ContainerRef container) {
        Event event;
        try {
            event = source.decoder().decode(record, header, container);
        } catch (RuntimeException e) {
            source.decodeErrors.increment();
            source.lastDecodeError = String.valueOf(e);
            return;
        }
        if (event == null) {
            return;
        }
        source.events.increment();
        for (Inbox q : subscribers) {
            if (!q.offer(event)) {
                source.queueDrops.increment();
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the thread after delivering what is held, and closes the subscriptions. The rings
     * belong to their registrants and stay open.
     */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        try {
            thread.join(pollInterval.toMillis() * 10 + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Inbox q : List.copyOf(subscribers)) {
            q.close();
        }
        poller.close();
    }
}
