package dev.apiary.tracker.syscall;

import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Tail;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What {@code syscall:trace} prints from: the subscriber {@link SyscallTracker.Tracing#start}
 * takes (it queues the traced cgroup's events) seen as a {@link Tail}, so that the SDK's
 * {@code TailPrinter} runs the loop. The trace's own subscription (which enables the exit
 * program for its duration) stays what delivers the events; closing this tail ends it.
 *
 * <p>{@code --seconds}: once the deadline has passed, {@link #poll} throws {@link TimeUp},
 * which ends the printer's loop as Ctrl-C would; the command takes it as the normal end.
 * One thread polls, the dispatcher offers.
 */
final class TraceTail implements EventSubscriber, Tail {

    /** The trace's --seconds have run out. */
    static final class TimeUp extends InterruptedException {
        TimeUp() {
            super("the trace's time is up");
        }
    }

    private static final EventFilter OWN = new EventFilter(SyscallTracker.NAME, SyscallEvent.TYPE, null);

    private final long cgroupId;
    private final BlockingQueue<SyscallEvent> queue;
    private final AtomicLong missed = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final LongSupplier nanoClock;
    private final long deadline;
    private volatile AutoCloseable session;

    /**
     * @param capacity    events that may wait for the terminal
     * @param limitNanos  how long the trace runs, 0 for no limit
     * @param nanoClock   {@link System#nanoTime}, or a test's
     */
    TraceTail(long cgroupId, int capacity, long limitNanos, LongSupplier nanoClock) {
        this.cgroupId = cgroupId;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.nanoClock = nanoClock;
        this.deadline = limitNanos == 0 ? 0 : nanoClock.getAsLong() + limitNanos;
    }

    /** The running trace this tail's subscriber was given to; closed with the tail. */
    void session(AutoCloseable session) {
        this.session = session;
    }

    @Override
    public void onEvent(Event e) {
        if (e instanceof SyscallEvent s && s.header().cgroupId() == cgroupId && !queue.offer(s)) {
            missed.incrementAndGet();
        }
    }

    @Override
    public EventFilter filter() {
        return OWN;
    }

    @Override
    public Event poll(Duration timeout) throws InterruptedException {
        long wait = timeout.toNanos();
        if (deadline != 0) {
            long left = deadline - nanoClock.getAsLong();
            if (left <= 0) {
                throw new TimeUp();
            }
            wait = Math.min(wait, left);
        }
        SyscallEvent e = queue.poll(wait, TimeUnit.NANOSECONDS);
        if (e != null) {
            delivered.incrementAndGet();
        }
        return e;
    }

    @Override
    public String name() {
        return "syscall:trace";
    }

    @Override
    public long delivered() {
        return delivered.get();
    }

    @Override
    public long dropped() {
        return missed.get();
    }

    @Override
    public int queued() {
        return queue.size();
    }

    /** Ends the trace (its BPF program and subscription). */
    @Override
    public void close() {
        AutoCloseable s = session;
        session = null;
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
