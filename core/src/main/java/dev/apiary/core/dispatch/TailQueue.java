package dev.apiary.core.dispatch;

import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.Tail;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A tail's bounded queue, filled by the dispatcher thread and emptied by whoever polls it. */
final class TailQueue implements Inbox, Tail {

    private final String name;
    private final EventFilter filter;
    private final Predicate<? super Event> where;
    private final BlockingQueue<Event> queue;
    private final Consumer<TailQueue> onClose;
    private final Counter delivered = new Counter();
    private final Counter dropped = new Counter();
    private volatile boolean closed;

    TailQueue(String name, EventFilter filter, Predicate<? super Event> where, int capacity, Consumer<TailQueue> onClose) {
        this.name = name;
        this.filter = filter == null ? EventFilter.ALL : filter;
        this.where = where == null ? e -> true : where;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
        this.onClose = onClose;
    }

    @Override
    public boolean offer(Event event) {
        if (closed || !filter.matches(event)) {
            return true;
        }
        boolean wanted;
        try {
            wanted = where.test(event);
        } catch (RuntimeException e) {
            wanted = false; // a test that throws takes nothing; the dispatcher goes on
        }
        if (!wanted) {
            return true;
        }
        if (!queue.offer(event)) {
            dropped.increment();
            return false;
        }
        return true;
    }

    @Override
    public Event poll(Duration timeout) throws InterruptedException {
        if (closed) {
            return null;
        }
        Event e = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (e != null) {
            delivered.increment();
        }
        return e;
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
        onClose.accept(this);
        queue.clear();
    }
}
