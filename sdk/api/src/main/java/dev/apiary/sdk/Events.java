package dev.apiary.sdk;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Subscribing to events without registering a service, as an OSGi service. Safe for concurrent use. */
public interface Events {

    /**
     * Queues every matching event for {@code subscriber} until the subscription is closed.
     *
     * @param name what {@code apiary:stats} calls this subscriber
     */
    Subscription subscribe(String name, EventSubscriber subscriber);

    /**
     * A {@link Tail} of the events {@code filter} and {@code where} both match, holding up to
     * {@code capacity} of them until they are polled. {@code where} runs on the dispatcher's
     * thread for every event the filter passes: keep it a cheap test of the event's fields
     * that never blocks. Close the tail when done.
     *
     * <p>The default implementation (for implementations of this interface outside core)
     * subscribes a queueing subscriber; core's dispatcher queues the events directly.
     *
     * @param name what {@code apiary:stats} calls it ("exec:tail", say)
     */
    default Tail tail(String name, EventFilter filter, Predicate<? super Event> where, int capacity) {
        BlockingQueue<Event> queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
        long[] missed = new long[1];
        Subscription sub = subscribe(name, new EventSubscriber() {
            @Override
            public void onEvent(Event event) {
                if (where.test(event) && !queue.offer(event)) {
                    synchronized (missed) {
                        missed[0]++;
                    }
                }
            }

            @Override
            public EventFilter filter() {
                return filter;
            }
        });
        return new Tail() {
            @Override
            public Event poll(Duration timeout) throws InterruptedException {
                return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }

            @Override
            public String name() {
                return sub.name();
            }

            @Override
            public long delivered() {
                return sub.delivered();
            }

            @Override
            public long dropped() {
                synchronized (missed) {
                    return sub.dropped() + missed[0];
                }
            }

            @Override
            public int queued() {
                return queue.size();
            }

            @Override
            public void close() {
                sub.close();
            }
        };
    }

    /** {@link #tail(String, EventFilter, Predicate, int)} of every event {@code filter} matches. */
    default Tail tail(String name, EventFilter filter, int capacity) {
        return tail(name, filter, e -> true, capacity);
    }
}
