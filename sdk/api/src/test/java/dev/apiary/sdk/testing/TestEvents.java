package dev.apiary.sdk.testing;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.Tail;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * {@link Events} for a test without a dispatcher: {@link #publish} hands an event to every
 * open subscription and tail at once, on the caller's thread, through their filters, as
 * core's dispatcher would. Headers for test events come from {@link #header}. Safe for
 * concurrent use.
 */
public final class TestEvents implements Events {

    private final List<Delivery> open = new CopyOnWriteArrayList<>();

    private interface Delivery {
        void deliver(Event event);
    }

    /** A header as the kernel fills it, for an event of {@code pid} named {@code comm} at boot time {@code tsNanos}. */
    public static EventHeader header(int pid, String comm, long tsNanos) {
        return new EventHeader(tsNanos, 5000, pid, pid, 1, 0, 0, 4026532000L, 4026533000L, 4026534000L, 1, 0, comm);
    }

    /** Delivers {@code events} to every open subscription and tail whose filter matches. */
    public void publish(Event... events) {
        for (Event e : events) {
            for (Delivery d : open) {
                d.deliver(e);
            }
        }
    }

    /** How many subscriptions and tails are open: a command must close its own. */
    public int open() {
        return open.size();
    }

    @Override
    public Subscription subscribe(String name, EventSubscriber subscriber) {
        AtomicLong delivered = new AtomicLong();
        Delivery d = e -> {
            if (subscriber.filter().matches(e)) {
                subscriber.onEvent(e);
                delivered.incrementAndGet();
                subscriber.onQueueEmpty();
            }
        };
        open.add(d);
        return new Subscription() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long delivered() {
                return delivered.get();
            }

            @Override
            public long dropped() {
                return 0;
            }

            @Override
            public int queued() {
                return 0;
            }

            @Override
            public void close() {
                open.remove(d);
            }
        };
    }

    @Override
    public Tail tail(String name, EventFilter filter, Predicate<? super Event> where, int capacity) {
        BlockingQueue<Event> queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
        AtomicLong dropped = new AtomicLong();
        AtomicLong delivered = new AtomicLong();
        Delivery d = e -> {
            if (filter.matches(e) && where.test(e) && !queue.offer(e)) {
                dropped.incrementAndGet();
            }
        };
        open.add(d);
        return new Tail() {
            @Override
            public Event poll(Duration timeout) throws InterruptedException {
                Event e = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (e != null) {
                    delivered.incrementAndGet();
                }
                return e;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public long delivered() {
                return delivered.get();
            }

            @Override
            public long dropped() {
                return dropped.get();
            }

            @Override
            public int queued() {
                return queue.size();
            }

            @Override
            public void close() {
                open.remove(d);
            }
        };
    }
}
