package dev.apiary.core.tracker;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes stopped trackers' BPF objects a moment later, on a thread of its own. Their
 * programs are paused first (apiary/watch.h), so they do nothing meanwhile; what the delay
 * buys: closing a tracepoint link waits in the kernel for grace periods under the same lock
 * that attaching takes, so a new version attached during the old one's close waited a second
 * for it. {@link #close()} closes everything still pending before it returns. Safe for
 * concurrent use.
 */
final class DeferredCloser implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeferredCloser.class);

    private final Duration delay;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("apiary-closer").unstarted(r));

    DeferredCloser(Duration delay) {
        this.delay = delay;
    }

    /** One close waiting for its time; whoever takes it out of {@link #pending} first closes it. */
    private record Pending(String tracker, AutoCloseable resource) {}

    private final Set<Pending> pending = ConcurrentHashMap.newKeySet();

    /** Closes {@code resource} after the delay; at once when this closer is closed already. */
    void closeLater(String tracker, AutoCloseable resource) {
        Pending p = new Pending(tracker, resource);
        pending.add(p);
        try {
            executor.schedule(() -> run(p), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            run(p);
        }
    }

    /**
     * Closes what is still pending, at once, and waits for a close in progress. (The executor's
     * own queue cannot be used for this: {@code shutdownNow()} hands back scheduled tasks that
     * cancel themselves instead of running.)
     */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pending p : List.copyOf(pending)) {
            run(p);
        }
    }

    private void run(Pending p) {
        if (pending.remove(p)) {
            closeQuietly(p.tracker(), p.resource());
        }
    }

    private static void closeQuietly(String tracker, AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception | Error e) {
            LOG.warn("tracker {}: closing {} failed", tracker, resource, e);
        }
    }
}
