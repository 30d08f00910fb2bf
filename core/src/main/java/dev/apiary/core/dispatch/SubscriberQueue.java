package dev.apiary.core.dispatch;

import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscriber's bounded queue and the thread that empties it. The dispatcher only ever
 * offers: a full queue drops the event and counts it, so a slow subscriber never holds up
 * the dispatcher or another subscriber.
 */
final class SubscriberQueue implements Inbox {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriberQueue.class);

    private final String name;
    private final EventSubscriber subscriber;
    private final EventFilter filter;
    private final BlockingQueue<Event> queue;
    private final Consumer<SubscriberQueue> onClose;
    private final Thread thread;
    private final Counter delivered = new Counter();
    private final Counter dropped = new Counter();
    private final Counter failures = new Counter();
    private volatile boolean closed;

    SubscriberQueue(String name, EventSubscriber subscriber, Consumer<SubscriberQueue> onClose) {
        this.name = name;
        this.subscriber = subscriber;
        this.filter = subscriber.filter() == null ? EventFilter.ALL : subscriber.filter();
        this.queue = new ArrayBlockingQueue<>(Math.max(1, subscriber.queueCapacity()));
        this.onClose = onClose;
        this.thread = Thread.ofPlatform().daemon().name("apiary-subscriber-" + name).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    @Override
    public boolean offer(Event event) {
        if (closed || !filter.matches(event)) {
            return true;
        }
        if (!queue.offer(event)) {
            dropped.increment();
            return false;
        }
        return true;
    }

    private void run() {
        while (!closed) {
            Event event;
            try {
                event = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (event == null) {
                continue;
            }
            deliver(event);
            if (queue.isEmpty()) {
                try {
                    subscriber.onQueueEmpty();
                } catch (RuntimeException | Error e) {
                    failed(e);
                }
            }
        }
    }

    private void deliver(Event event) {
        try {
            subscriber.onEvent(event);
            delivered.increment();
        } catch (RuntimeException | Error e) {
            failed(e);
        }
    }

    private void failed(Throwable e) {
        failures.increment();
        if (Long.bitCount(failures.total()) == 1) { // the 1st, 2nd, 4th, 8th... time
            LOG.warn("subscriber {} threw ({} times so far)", name, failures.total(), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long delivered() {
        return delivered.total();
    }

    @Override
    public long dropped() {
        return dropped.total();
    }

    @Override
    public int queued() {
        return queue.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.interrupt();
        onClose.accept(this);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
