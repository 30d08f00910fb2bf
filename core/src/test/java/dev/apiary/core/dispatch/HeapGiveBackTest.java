package dev.apiary.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When the heap is given back: after a burst, once quiet (a trickle is quiet); never during a stream or for a trickle. */
class HeapGiveBackTest {

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger collections = new AtomicInteger();
    private final HeapGiveBack giveBack = new HeapGiveBack(delivered::get, queued::get, clock::get,
            collections::incrementAndGet, 1000, 50, Duration.ofSeconds(2));

    private boolean checkAfter(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
        return giveBack.check();
    }

    @Test
    void aBurstIsFollowedByOneCollectionOnceNothingWasDeliveredOrQueuedForTheQuietTime() {
        delivered.set(5000);
        queued.set(3000);
        assertFalse(checkAfter(1000), "the burst is on");
        delivered.set(8000);
        queued.set(0);
        assertFalse(checkAfter(1000), "still delivering");
        assertFalse(checkAfter(1000), "quiet for 1 s");
        delivered.addAndGet(20); // the host's own background: a trickle
        assertTrue(checkAfter(1000), "quiet for 2 s: give back");
        assertFalse(checkAfter(1000), "once a burst");
        assertFalse(checkAfter(60_000));
        assertEquals(1, collections.get());
        assertEquals(1, giveBack.giveBacks());
    }

    @Test
    void eventsStillQueuedAreNotQuiet() {
        delivered.set(5000);
        assertFalse(checkAfter(1000));
        queued.set(100); // the subscriber is behind: the heap holds them
        assertFalse(checkAfter(5000));
        assertFalse(checkAfter(5000));
        queued.set(0);
        assertFalse(checkAfter(1000));
        assertTrue(checkAfter(2000));
    }

    @Test
    void aSteadyStreamOrATrickleNeverTriggersIt() {
        for (int i = 0; i < 100; i++) {
            delivered.addAndGet(500); // a stream: never quiet
            assertFalse(checkAfter(1000));
        }
        HeapGiveBack trickle = new HeapGiveBack(delivered::get, queued::get, clock::get, collections::incrementAndGet,
                delivered.get() + 1_000_000, 50, Duration.ofSeconds(2));
        for (int i = 0; i < 100; i++) {
            delivered.addAndGet(i % 10 == 0 ? 10 : 0); // a few events now and then: below a burst
            clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
            assertFalse(trickle.check());
        }
        assertEquals(0, collections.get());
    }

    @Test
    void aSourceThatGoesAwayDoesNotMakeTheNextBurstLookSmaller() {
        delivered.set(5000);
        checkAfter(1000);
        assertTrue(checkAfter(3000));
        delivered.set(200); // a tracker stopped: its count left the total
        assertFalse(checkAfter(1000));
        delivered.set(1300); // a new burst of 1,100 from there
        assertFalse(checkAfter(1000));
        assertTrue(checkAfter(3000));
        assertEquals(2, collections.get());
    }

    @Test
    void theGiveBackIsACollectionTheJvmRuns() {
        // System.gc() is not disabled here and counts as a collection; that it shrinks the heap
        // is bin/apiary's flags' part (RuntimeJvmIT reads them, bench/suite measures the RSS).
        long before = collections();
        HeapGiveBack real = new HeapGiveBack(delivered::get, queued::get, clock::get, System::gc, 1, 0, Duration.ofSeconds(2));
        delivered.set(10);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        real.check();
        clock.addAndGet(TimeUnit.SECONDS.toNanos(3));
        assertTrue(real.check());
        assertTrue(collections() > before, "a collection ran");
    }

    private static long collections() {
        long n = 0;
        for (var c : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += c.getCollectionCount();
        }
        return n;
    }
}
