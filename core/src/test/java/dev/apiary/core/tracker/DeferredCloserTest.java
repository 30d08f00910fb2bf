package dev.apiary.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The closer of stopped trackers' paused objects, with plain resources for objects. */
class DeferredCloserTest {

    @Test
    void aResourceIsClosedAfterTheDelay() throws InterruptedException {
        DeferredCloser closer = new DeferredCloser(Duration.ofMillis(50));
        CountDownLatch closed = new CountDownLatch(1);
        closer.closeLater("t", closed::countDown);
        assertEquals(1, closed.getCount(), "not at once");
        assertEquals(true, closed.await(5, TimeUnit.SECONDS));
        closer.close();
    }

    @Test
    void aResourceGivenAfterCloseIsClosedAtOnce() {
        DeferredCloser closer = new DeferredCloser(Duration.ofHours(1));
        closer.close();
        AtomicInteger closed = new AtomicInteger();
        closer.closeLater("t", closed::incrementAndGet);
        assertEquals(1, closed.get());
    }

    /**
     * The contract says close() closes everything still pending before it returns. It does not:
     * shutdownNow() hands back ScheduledFutureTasks, and such a task cancels itself instead of
     * running once its executor is stopped. A tracker stopped less than CLOSE_DELAY before core
     * closes keeps its (paused) programs, links and maps until the JVM exits.
     */
    @Test
    void closeClosesWhatIsStillPending() {
        DeferredCloser closer = new DeferredCloser(Duration.ofHours(1));
        AtomicInteger closed = new AtomicInteger();
        closer.closeLater("t", closed::incrementAndGet);
        closer.close();
        assertEquals(1, closed.get());
    }
}
