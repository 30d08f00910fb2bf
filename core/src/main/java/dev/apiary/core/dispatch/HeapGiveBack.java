package dev.apiary.core.dispatch;

import dev.apiary.sdk.Subscription;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Gives the Java heap back after a burst of events. bin/apiary's Serial collector grows the heap
 * while a storm's events queue up, and shrinks it only at a full collection, which an idle
 * runtime does not have: after a 100,000-open storm the process stayed some 40 MB larger until
 * the next storm. So, looked at twice a second: once at least {@code burst} events were delivered
 * since the last give-back, and for {@code quiet} no look saw more than {@code trickle} events
 * delivered since the one before, or queued (a host is never silent: its own background is a
 * trickle, a storm is not), one full
 * collection ({@link System#gc()}) lets the collector shrink the heap to what is live (all of
 * it at once with bin/apiary's {@code -XX:-ShrinkHeapInSteps}). A steady stream, never quiet,
 * never triggers it; a JVM with {@code -XX:+DisableExplicitGC} ignores it.
 *
 * <p>{@link #check} is called from one thread at a time (the scheduler's, or a test's).
 */
public final class HeapGiveBack implements AutoCloseable {

    /** Events delivered since the last give-back that make a burst worth one. */
    public static final long BURST = 20_000;
    public static final Duration QUIET = Duration.ofSeconds(1);
    /** Events a look (half a second) may see and still call quiet: 1,000 a second. */
    public static final long TRICKLE = 500;

    private final LongSupplier delivered;
    private final IntSupplier queued;
    private final LongSupplier nanoClock;
    private final Runnable collect;
    private final long burst;
    private final long trickle;
    private final long quietNanos;
    private ScheduledExecutorService scheduler;
    private long lastDelivered;
    private long deliveredAtGiveBack;
    private long quietSince;
    private volatile int giveBacks;

    /**
     * @param delivered events delivered so far, every source together (a running total)
     * @param queued    events waiting in subscriber queues now, every subscription together
     * @param collect   the full collection ({@code System::gc} but in tests)
     * @param burst     events since the last give-back that make one worth it
     * @param trickle   events a look may see (delivered since the last look, or queued) and still call quiet
     */
    public HeapGiveBack(LongSupplier delivered, IntSupplier queued, LongSupplier nanoClock, Runnable collect,
            long burst, long trickle, Duration quiet) {
        this.delivered = delivered;
        this.queued = queued;
        this.nanoClock = nanoClock;
        this.collect = collect;
        this.burst = burst;
        this.trickle = trickle;
        this.quietNanos = quiet.toNanos();
        this.lastDelivered = delivered.getAsLong();
        this.deliveredAtGiveBack = lastDelivered;
        this.quietSince = nanoClock.getAsLong();
    }

    /** For a dispatcher: its sources' events and its subscriptions' queues, {@link System#gc()}, the defaults. */
    public static HeapGiveBack forDispatcher(Dispatcher dispatcher) {
        return new HeapGiveBack(
                () -> dispatcher.sources().stream().mapToLong(s -> s.events().total()).sum(),
                () -> dispatcher.subscriptions().stream().mapToInt(Subscription::queued).sum(),
                System::nanoTime, System::gc, BURST, TRICKLE, QUIET);
    }

    /** Looks twice a second on a daemon thread of its own, until {@link #close}. */
    public synchronized HeapGiveBack start() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                    .name("apiary-heap-give-back").unstarted(r));
            scheduler.scheduleWithFixedDelay(this::check, 500, 500, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** One look: gives the heap back when a burst has ended; returns whether it did. */
    public boolean check() {
        long now = nanoClock.getAsLong();
        long total = delivered.getAsLong();
        if (total < lastDelivered) {
            // A source went away and took its count: start counting again from here.
            deliveredAtGiveBack = total;
        }
        long since = total - lastDelivered;
        lastDelivered = total;
        if (since > trickle || queued.getAsInt() > trickle) {
            quietSince = now;
            return false;
        }
        if (total - deliveredAtGiveBack < burst || now - quietSince < quietNanos) {
            return false;
        }
        deliveredAtGiveBack = total;
        giveBacks++;
        collect.run();
        return true;
    }

    /** How many times it gave the heap back. */
    public int giveBacks() {
        return giveBacks;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
