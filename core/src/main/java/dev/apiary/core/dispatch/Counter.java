package dev.apiary.core.dispatch;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A monotonically rising count with a rate over the last sampling window. Written by one
 * thread, read by any.
 */
public final class Counter {

    private final AtomicLong total = new AtomicLong();
    private long windowStartNanos = System.nanoTime();
    private long windowStartCount;
    private double lastRate;

    void add(long n) {
        total.lazySet(total.get() + n);
    }

    void increment() {
        add(1);
    }

    public long total() {
        return total.get();
    }

    /**
     * Events per second since the previous call that was at least a second ago (so that two
     * readers close together see the same rate).
     */
    public synchronized double ratePerSecond() {
        long now = System.nanoTime();
        long elapsed = now - windowStartNanos;
        if (elapsed >= 1_000_000_000L) {
            long count = total.get();
            lastRate = (count - windowStartCount) * 1e9 / elapsed;
            windowStartNanos = now;
            windowStartCount = count;
        }
        return lastRate;
    }
}
