package dev.apiary.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.core.dispatch.Ticks.Tick;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The dispatcher against a real ring buffer filled by a real BPF program. */
@RequiresBpf
class DispatcherTest {

    private static final ContainerRef WEB = new ContainerRef("a".repeat(64), "web", "busybox:local", "docker",
            java.util.Map.of(), "", "");

    @Test
    void everyRecordReachesEverySubscriberWithItsContainer() throws Exception {
        try (BpfObject obj = Ticks.load(); RingBuffer ring = obj.ringBuffer();
                Dispatcher dispatcher = new Dispatcher(fixed(WEB), Duration.ofMillis(20), Duration.ofSeconds(1))) {
            dispatcher.start();
            RingSource source = dispatcher.register("ticks", ring, Ticks.DECODER);
            List<Event> a = new CopyOnWriteArrayList<>();
            List<Event> b = new CopyOnWriteArrayList<>();
            dispatcher.subscribe("a", a::add);
            dispatcher.subscribe("b", b::add);
            Ticks.tick(1000);
            awaitTrue(() -> a.size() == 1000 && b.size() == 1000, "both subscribers get all 1000 events");
            assertEquals(WEB, a.getFirst().container());
            assertEquals(Ticks.SELF, a.getFirst().header().pid());
            for (int i = 1; i < a.size(); i++) {
                assertEquals(((Tick) a.get(i - 1)).seq() + 1, ((Tick) a.get(i)).seq(), "in order, none missing");
            }
            assertEquals(1000, source.events().total());
            assertEquals(0, source.queueDrops().total());
            assertEquals(0, source.kernelLost());
            long peak = source.peakBacklogBytes();
            assertTrue(peak > 0 && peak <= source.ringBytes(), "the fullest the ring was when read: " + peak);
            dispatcher.unregister(source);
        }
    }

    @Test
    void aTailIsFilledByTheDispatcherAndPolledByItsOwnerDroppingWhatDoesNotFit() throws Exception {
        try (BpfObject obj = Ticks.load(); RingBuffer ring = obj.ringBuffer();
                Dispatcher dispatcher = new Dispatcher(fixed(WEB), Duration.ofMillis(20), Duration.ofSeconds(1))) {
            dispatcher.start();
            RingSource source = dispatcher.register("ticks", ring, Ticks.DECODER);
            dev.apiary.sdk.Tail odd = dispatcher.tail("odd", dev.apiary.sdk.EventFilter.ALL,
                    e -> ((Tick) e).seq() % 2 == 1, 100);
            assertEquals(1, dispatcher.subscriptions().size(), "listed among the subscriptions, with no thread of its own");
            Ticks.tick(1000);
            awaitTrue(() -> source.events().total() == 1000, "the dispatcher saw every record");
            awaitTrue(() -> odd.queued() == 100, "the tail holds what fits");
            assertEquals(400, odd.dropped(), "500 odd ticks, 100 kept, the rest dropped and counted");
            assertEquals(400, source.queueDrops().total());
            long last = -1;
            for (int i = 0; i < 100; i++) {
                Tick t = (Tick) odd.poll(Duration.ofSeconds(1));
                assertEquals(1, t.seq() % 2, "only what `where` took");
                assertTrue(t.seq() > last, "in order");
                last = t.seq();
            }
            assertEquals(null, odd.poll(Duration.ofMillis(50)), "empty now");
            assertEquals(100, odd.delivered());
            odd.close();
            assertEquals(0, dispatcher.subscriptions().size(), "closing removes it");
            dispatcher.unregister(source);
        }
    }

    @Test
    void aSlowSubscriberDropsAndCountsWithoutHoldingUpTheOthers() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (BpfObject obj = Ticks.load(); RingBuffer ring = obj.ringBuffer();
                Dispatcher dispatcher = new Dispatcher(fixed(ContainerRef.HOST), Duration.ofMillis(20), Duration.ofSeconds(1))) {
            dispatcher.start();
            RingSource source = dispatcher.register("ticks", ring, Ticks.DECODER);
            List<Event> fast = new CopyOnWriteArrayList<>();
            dispatcher.subscribe("fast", fast::add);
            Subscription slow = dispatcher.subscribe("slow", new EventSubscriber() {
                @Override
                public void onEvent(Event event) {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public int queueCapacity() {
                    return 10;
                }
            });
            Ticks.tick(1);
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the slow subscriber holds its first event");
            Ticks.tick(499);
            awaitTrue(() -> fast.size() == 500, "the fast subscriber gets everything while the slow one blocks");
            // One event is in the slow subscriber's hands, ten wait in its queue, the rest were dropped.
            assertEquals(500 - 11, slow.dropped());
            assertEquals(10, slow.queued());
            assertEquals(500 - 11, source.queueDrops().total());
            release.countDown();
            awaitTrue(() -> slow.delivered() == 11, "the slow subscriber catches up with what it kept");
        }
    }

    @Test
    void aSubscriberHearsWhenItsQueueRunsEmptyOncePerBurst() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> seenAtEmpty = new CopyOnWriteArrayList<>();
        try (BpfObject obj = Ticks.load(); RingBuffer ring = obj.ringBuffer();
                Dispatcher dispatcher = new Dispatcher(fixed(ContainerRef.HOST), Duration.ofMillis(20), Duration.ofSeconds(1))) {
            dispatcher.start();
            dispatcher.register("ticks", ring, Ticks.DECODER);
            List<Event> got = new CopyOnWriteArrayList<>();
            Subscription sink = dispatcher.subscribe("sink", new EventSubscriber() {
                @Override
                public void onEvent(Event event) {
                    got.add(event);
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void onQueueEmpty() {
                    seenAtEmpty.add(got.size());
                }
            });
            Ticks.tick(1);
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the sink holds its first event");
            Ticks.tick(99);
            awaitTrue(() -> sink.queued() == 99, "99 events wait behind it");
            release.countDown();
            awaitTrue(() -> got.size() == 100 && !seenAtEmpty.isEmpty(), "the sink takes all 100");
            assertEquals(List.of(100), seenAtEmpty, "told once, after the last event of the burst");
        }
    }

    @Test
    void recordsOfAContainerNotYetNamedAreHeldBackAndKeepTheirOrder() throws Exception {
        AtomicBoolean named = new AtomicBoolean();
        ContainerRef unnamed = ContainerRef.unnamed(WEB.id(), "docker");
        ContainerLookup lookup = new ContainerLookup() {
            @Override
            public ContainerRef resolve(long cgroupId) {
                return named.get() ? WEB : unnamed;
            }

            @Override
            public boolean awaitingMetadata(ContainerRef ref) {
                return ref.name().isEmpty();
            }
        };
        try (BpfObject obj = Ticks.load(); RingBuffer ring = obj.ringBuffer();
                Dispatcher dispatcher = new Dispatcher(lookup, Duration.ofMillis(20), Duration.ofSeconds(30))) {
            dispatcher.start();
            dispatcher.register("ticks", ring, Ticks.DECODER);
            List<Event> got = new CopyOnWriteArrayList<>();
            dispatcher.subscribe("all", got::add);
            Ticks.tick(100);
            awaitTrue(() -> dispatcher.heldBack() == 100, "held while the container has no name");
            assertEquals(0, got.size());
            named.set(true);
            Ticks.tick(100);
            awaitTrue(() -> got.size() == 200, "released once named");
            for (int i = 0; i < got.size(); i++) {
                assertEquals(WEB, got.get(i).container(), "every event carries the name");
                assertEquals(((Tick) got.getFirst()).seq() + i, ((Tick) got.get(i)).seq(), "held events come first, in order");
            }
        }
    }

    @Test
    void heldRecordsAreDeliveredUnnamedWhenTheirTimeIsUp() throws Exception {
        ContainerRef unnamed = ContainerRef.unnamed(WEB.id(), "docker");
        ContainerLookup neverNamed = new ContainerLookup() {
            @Override
            public ContainerRef resolve(long cgroupId) {
                return unnamed;
            }

            @Override
            public boolean awaitingMetadata(ContainerRef ref) {
                return true;
            }
        };
        try (BpfObject obj = Ticks.load(); RingBuffer ring = obj.ringBuffer();
                Dispatcher dispatcher = new Dispatcher(neverNamed, Duration.ofMillis(20), Duration.ofMillis(300))) {
            dispatcher.start();
            dispatcher.register("ticks", ring, Ticks.DECODER);
            List<Event> got = new CopyOnWriteArrayList<>();
            dispatcher.subscribe("all", got::add);
            Ticks.tick(10);
            awaitTrue(() -> got.size() == 10, "delivered with what is known after the hold limit");
            assertEquals(unnamed, got.getFirst().container());
        }
    }

    @Test
    void aDecoderThatThrowsIsCountedAndTheOthersGoOn() throws Exception {
        try (BpfObject obj = Ticks.load(); RingBuffer ring = obj.ringBuffer();
                Dispatcher dispatcher = new Dispatcher(fixed(ContainerRef.HOST), Duration.ofMillis(20), Duration.ofSeconds(1))) {
            dispatcher.start();
            RingSource source = dispatcher.register("ticks", ring, (record, header, container) -> {
                Tick t = (Tick) Ticks.DECODER.decode(record, header, container);
                if (t.seq() % 2 == 0) {
                    throw new IllegalStateException("even sequence " + t.seq());
                }
                return t;
            });
            List<Event> got = new CopyOnWriteArrayList<>();
            dispatcher.subscribe("all", new EventSubscriber() {
                @Override
                public void onEvent(Event event) {
                    got.add(event);
                }

                @Override
                public EventFilter filter() {
                    return new EventFilter("ticks", "tick", "host");
                }
            });
            Ticks.tick(100);
            awaitTrue(() -> source.decodeErrors().total() == 50 && got.size() == 50, "half fail, half arrive");
            assertTrue(source.lastDecodeError().contains("even sequence"));
        }
    }

    @Test
    void unregisteringReleasesTheRingSoItCanBeClosed() throws Exception {
        try (Dispatcher dispatcher = new Dispatcher(fixed(ContainerRef.HOST), Duration.ofMillis(20), Duration.ofSeconds(1))) {
            dispatcher.start();
            List<Event> got = new CopyOnWriteArrayList<>();
            dispatcher.subscribe("all", got::add);
            for (int round = 0; round < 5; round++) {
                try (BpfObject obj = Ticks.load(); RingBuffer ring = obj.ringBuffer()) {
                    RingSource source = dispatcher.register("ticks", ring, Ticks.DECODER);
                    Ticks.tick(10);
                    int expected = (round + 1) * 10;
                    awaitTrue(() -> got.size() == expected, "round " + round);
                    dispatcher.unregister(source);
                }
            }
            assertEquals(0, dispatcher.sources().size());
        }
    }

    private static ContainerLookup fixed(ContainerRef ref) {
        return new ContainerLookup() {
            @Override
            public ContainerRef resolve(long cgroupId) {
                return ref;
            }

            @Override
            public boolean awaitingMetadata(ContainerRef r) {
                return false;
            }
        };
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(10);
        }
    }
}
