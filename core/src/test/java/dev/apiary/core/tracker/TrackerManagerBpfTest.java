package dev.apiary.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.KernelBpfObjects;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.core.dispatch.Ticks;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.Tracker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceReference;

/**
 * A tracker that loads a real BPF object from its bundle (core's dispatch_test object, one
 * record per getppid() of this process): its ring is dispatched while it runs; its stop
 * unregisters the ring and pauses the programs at once, and frees them in the kernel after
 * {@link TrackerManager#CLOSE_DELAY}.
 */
@RequiresBpf
class TrackerManagerBpfTest {

    @TempDir
    Path pinBase;

    private TrackerManagerFixture core;

    @BeforeEach
    void open() {
        core = new TrackerManagerFixture(pinBase);
        core.newManager().open();
    }

    @AfterEach
    void close() {
        core.close();
    }

    @Test
    void aTrackersObjectIsDispatchedWhileItRunsAndFreedAfterItsStop() throws Throwable {
        BpfObject[] loaded = new BpfObject[1];
        TestTracker ticks = new TestTracker("ticks", context ->
                loaded[0] = context.load("bpf/dispatch_test.bpf.o", obj -> obj.globals().set("target_tgid", Ticks.SELF), Ticks.DECODER));
        List<Event> seen = new CopyOnWriteArrayList<>();
        core.dispatcher.subscribe("test", seen::add);

        ServiceReference<Tracker> service = core.framework.register(core.framework.install("test.ticks", "ticks"), ticks);
        TrackerHandle h = core.manager().find("ticks").orElseThrow();
        assertEquals(TrackerState.RUNNING, h.state(), h.error());
        assertEquals(List.of(loaded[0]), h.objects());
        assertEquals(1, h.sources().size());
        assertEquals(h.sources(), core.dispatcher.sources());
        int program = loaded[0].programs().getFirst().id();
        assertTrue(KernelBpfObjects.programIds().contains(program));

        Ticks.tick(10);
        await(() -> seen.size() >= 10, "the tracker's records reach the subscribers");
        assertEquals("ticks", seen.getFirst().tracker());

        core.framework.unregister(service);
        assertEquals(List.of(), core.dispatcher.sources(), "its ring left the dispatcher before the stop returned");
        BpfMap pause = loaded[0].maps().stream().filter(m -> m.name().endsWith(BundleTrackerContext.PAUSE_SECTION))
                .findFirst().orElseThrow();
        assertEquals(1, Bytes.toU32(pause.lookup(Bytes.u32(0)).orElseThrow()),
                "paused at once; the object itself closes a moment later");

        await(() -> !KernelBpfObjects.programIds().contains(program), "its program is freed in the kernel");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
