package dev.apiary.example.ipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestContainers;
import dev.apiary.sdk.testing.TestEvents;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.felix.metatype.AD;
import dev.apiary.sdk.testing.Metatypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The settings as {@code tracker:config ipc} sees them: the metatype bnd wrote from
 * {@link IpcTracker.Config}, read and validated with Felix's reader as core does (keys are the
 * methods' names with each underscore a dot: {@code ring_kb()} is {@code ring.kb}); and what
 * {@link IpcTracker#start} makes of them, through a context that opens the object but does not
 * load it (no root needed).
 */
class IpcConfigTest {

    private static final Path OBJECT = Path.of("target/classes/bpf/ipc.bpf.o");

    private BpfObject obj;
    private EventSubscriber subscriber;

    @AfterEach
    void close() {
        if (obj != null) {
            obj.close();
        }
    }


    @Test
    void theMetatypeRefusesValuesOutOfRange() throws Exception {
        Map<String, AD> ads = Metatypes.attributes(IpcTracker.PID);
        assertEquals(List.of("ring.kb", "history", "flows"), List.copyOf(ads.keySet()));
        AD ring = ads.get("ring.kb");
        assertEquals("256", ring.getMin());
        assertEquals("1048576", ring.getMax());
        assertFalse(ring.validate("1").isEmpty(), "1 KiB refused");
        assertFalse(ring.validate("lots").isEmpty(), "not a number");
        assertEquals("", ring.validate("1024"));
        AD history = ads.get("history");
        assertFalse(history.validate("0").isEmpty());
        assertFalse(history.validate("2000000").isEmpty());
        assertEquals("", history.validate("4096"));
        AD flows = ads.get("flows");
        assertFalse(flows.validate("10").isEmpty());
        assertEquals("", flows.validate("16384"));
    }

    @Test
    void theDefaultsAreTodaysSizes() {
        IpcTracker tracker = started(Map.of());
        assertEquals(1 << 20, obj.map("apiary_events").maxEntries());
        assertEquals(16384, obj.map("ipc_flows").maxEntries());
        assertEquals(4096, subscriber.queueCapacity());
        assertEquals(4096, fill(tracker, 5000));
    }

    @Test
    void theRingTheCountersAndTheHistoryTakeTheirSettings() {
        IpcTracker tracker = started(Map.of("ring.kb", 300, "flows", 2048, "history", 50));
        assertEquals(512 * 1024, obj.map("apiary_events").maxEntries(), "300 KiB rounded up to a power of two");
        assertEquals(2048, obj.map("ipc_flows").maxEntries());
        assertEquals(50, subscriber.queueCapacity());
        assertEquals(50, fill(tracker, 80), "the history keeps the last 50");
        tracker.stop();
    }


    /** Feeds {@code n} pipe events to the tracker's history subscription; the events it then keeps. */
    private int fill(IpcTracker tracker, int n) {
        for (int i = 0; i < n; i++) {
            subscriber.onEvent(new PipeEvent(TestEvents.header(100 + i, "sh", i), TestContainers.WEB, i, 3, 4, 0, 0, ""));
        }
        return tracker.running().orElseThrow().history().snapshot().size();
    }

    private IpcTracker started(Map<String, ?> settings) {
        IpcTracker tracker = new IpcTracker(TestConfig.of(IpcTracker.Config.class, settings));
        tracker.start(new TrackerContext() {
            @Override
            public String trackerName() {
                return IpcTracker.NAME;
            }

            @Override
            public BpfObject load(String resource, Consumer<BpfObject> configure, EventDecoder decoder) {
                assertEquals(IpcTracker.OBJECT, resource);
                obj = BpfObject.open(Path.of("target/classes").resolve(resource));
                configure.accept(obj);
                return obj;
            }

            @Override
            public Containers containers() {
                return TestContainers.running(TestContainers.WEB);
            }

            @Override
            public Subscription subscribe(String name, EventSubscriber s) {
                subscriber = s;
                return null;
            }
        });
        return tracker;
    }
}
