package dev.apiary.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.core.dispatch.Dispatcher;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.Tracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The tracker manager as core runs it (see ApiaryRuntime), without BPF: trackers are small fakes
 * whose start opens what needs no kernel (a subscription), in bundles of a {@link FakeFramework}.
 */
class TrackerManagerTest {

    @TempDir
    Path pinBase;

    private TrackerManagerFixture core;
    private FakeFramework framework;
    private Dispatcher dispatcher;
    private TrackerPins pins;
    private TrackerManager manager;

    @BeforeEach
    void open() {
        core = new TrackerManagerFixture(pinBase);
        framework = core.framework;
        dispatcher = core.dispatcher;
        pins = core.pins;
        manager = core.newManager();
        manager.open();
    }

    @AfterEach
    void close() {
        core.close();
    }

    @Test
    void aTrackerThatStartsIsRunning() {
        TestTracker quiet = TestTracker.subscribing("quiet");
        framework.register(framework.install("test.quiet", "quiet"), quiet);

        TrackerHandle h = manager.find("quiet").orElseThrow();
        assertEquals(TrackerState.RUNNING, h.state(), "started before the service's registration returned");
        assertEquals("", h.error());
        assertEquals(1, quiet.starts);
        assertEquals("quiet", quiet.context.trackerName());
        assertSame(TrackerManagerFixture.NO_CONTAINERS, quiet.context.containers());
        assertEquals(List.of("quiet/events"), subscriptionNames(), "its subscription is named after it");
        assertEquals(TrackerState.RUNNING, manager.bundle("quiet").orElseThrow().state());
        assertTrue(Files.isDirectory(pins.root().resolve("quiet")), "its folder for pinned maps");
    }

    @Test
    void aTrackerWhoseStartThrowsFailsWithItsMessageAndTheOthersGoOn() {
        TestTracker broken = new TestTracker("broken", context -> {
            context.subscribe("events", e -> {
            });
            throw new IllegalStateException("no tracepoint syscalls/sys_enter_nope");
        });
        TestTracker missingClass = new TestTracker("linkage", context -> {
            throw new NoClassDefFoundError("com/example/Missing");
        });
        TestTracker missingObject = new TestTracker("noobject", context -> context.load("bpf/missing.bpf.o", null, null));
        framework.register(framework.install("test.broken", "broken"), broken);
        framework.register(framework.install("test.linkage", "linkage"), missingClass);
        framework.register(framework.install("test.noobject", "noobject"), missingObject);
        framework.register(framework.install("test.quiet", "quiet"), TestTracker.subscribing("quiet"));

        TrackerHandle failed = manager.find("broken").orElseThrow();
        assertEquals(TrackerState.FAILED, failed.state());
        assertTrue(failed.error().startsWith("start() threw java.lang.IllegalStateException: no tracepoint syscalls/sys_enter_nope"),
                failed.error());
        assertTrue(manager.find("linkage").orElseThrow().error()
                .startsWith("class com/example/Missing is not visible to bundle test.linkage"));
        assertTrue(manager.find("noobject").orElseThrow().error().contains("bundle test.noobject has no bpf/missing.bpf.o"),
                manager.find("noobject").orElseThrow().error());
        assertEquals(List.of("quiet/events"), subscriptionNames(), "what the failed start opened is closed");
        assertEquals(TrackerState.RUNNING, manager.find("quiet").orElseThrow().state(), "the others go on");
        assertEquals(List.of("broken", "linkage", "noobject", "quiet"),
                manager.running().stream().map(TrackerHandle::name).toList());
    }

    @Test
    void stoppingATrackerStopsItThenClosesWhatItsContextOpened() {
        TestTracker quiet = TestTracker.subscribing("quiet");
        quiet.onStop = () -> assertEquals(List.of("quiet/events"), subscriptionNames(), "stop() comes first");
        Bundle bundle = framework.install("test.quiet", "quiet");
        ServiceReference<Tracker> service = framework.register(bundle, quiet);

        framework.unregister(service);
        assertEquals(1, quiet.stops);
        assertEquals(List.of(), subscriptionNames());
        assertTrue(manager.find("quiet").isEmpty());
        assertEquals(TrackerState.STOPPED, manager.bundle("quiet").orElseThrow().state(), "the bundle is still installed");
        assertEquals(List.of(service), framework.released());
        assertTrue(Files.isDirectory(pins.root().resolve("quiet")), "pinned maps outlive a stop");
    }

    @Test
    void whatAStartOpenedIsClosedEvenWhenStopThrows() {
        TestTracker clumsy = TestTracker.subscribing("clumsy");
        clumsy.onStop = () -> {
            throw new IllegalStateException("stop failed");
        };
        ServiceReference<Tracker> service = framework.register(framework.install("test.clumsy", "clumsy"), clumsy);
        framework.unregister(service);
        assertEquals(1, clumsy.stops);
        assertEquals(List.of(), subscriptionNames());
    }

    @Test
    void aFailedTrackerIsNotStoppedButItsResourcesAreClosed() {
        TestTracker broken = new TestTracker("broken", context -> {
            throw new IllegalStateException("no");
        });
        ServiceReference<Tracker> service = framework.register(framework.install("test.broken", "broken"), broken);
        framework.unregister(service);
        assertEquals(0, broken.stops, "stop() follows a start that succeeded only");
        assertTrue(manager.find("broken").isEmpty());
    }

    @Test
    void aRestartedTrackerRunsAgainWithNewResources() {
        Bundle bundle = framework.install("test.flaky", "flaky");
        boolean[] fail = {true};
        TestTracker first = new TestTracker("flaky", context -> {
            context.subscribe("events", e -> {
            });
            if (fail[0]) {
                throw new IllegalStateException("not yet");
            }
        });
        ServiceReference<Tracker> service = framework.register(bundle, first);
        TrackerHandle failed = manager.find("flaky").orElseThrow();
        assertEquals(TrackerState.FAILED, failed.state());

        // tracker:restart and a changed configuration both take the service away and bring it back.
        fail[0] = false;
        framework.unregister(service);
        TestTracker second = TestTracker.subscribing("flaky");
        service = framework.register(bundle, second);
        TrackerHandle again = manager.find("flaky").orElseThrow();
        assertNotSame(failed, again);
        assertEquals(TrackerState.RUNNING, again.state());
        assertEquals(List.of("flaky/events"), subscriptionNames());

        framework.unregister(service);
        service = framework.register(bundle, second);
        assertEquals(2, second.starts);
        assertEquals(1, second.stops);
        assertEquals(List.of("flaky/events"), subscriptionNames(), "one subscription: the old one was closed");
    }

    @Test
    void trackersAlreadyRegisteredAreStartedWhenTheManagerOpens() {
        manager = core.newManager(); // closes the one open, makes one not opened yet
        TestTracker early = TestTracker.subscribing("early");
        framework.register(framework.install("test.early", "early"), early);
        assertEquals(0, early.starts);
        manager.open();
        assertEquals(TrackerState.RUNNING, manager.find("early").orElseThrow().state());
    }

    @Test
    void aTrackerWhoseNameDoesNotFitIsRefusedWithoutStarting() {
        TestTracker badName = TestTracker.subscribing("Bad Name");
        TestTracker otherHeader = TestTracker.subscribing("exec");
        framework.register(framework.install("test.bad", "bad"), badName);
        framework.register(framework.install("test.mismatch", "execve"), otherHeader);

        assertTrue(manager.find("Bad Name").orElseThrow().error().contains("is not a tracker name"));
        assertTrue(manager.find("exec").orElseThrow().error().contains("header says 'execve'"));
        assertEquals(0, badName.starts + otherHeader.starts);
        assertTrue(subscriptionNames().isEmpty());
        assertEquals(TrackerState.FAILED, manager.bundle("execve").orElseThrow().state(), "found by its header");
    }

    @Test
    void aSecondTrackerOfTheSameNameIsRefused() {
        Bundle first = framework.install("test.one", "dup");
        framework.register(first, TestTracker.subscribing("dup"));
        TestTracker second = TestTracker.subscribing("dup");
        ServiceReference<Tracker> secondService = framework.register(framework.install("test.two", "dup"), second);

        assertEquals(0, second.starts);
        TrackerHandle refused = manager.running().stream().filter(h -> h.state() == TrackerState.FAILED)
                .findFirst().orElseThrow();
        assertTrue(refused.error().contains("is taken by bundle test.one [" + first.getBundleId() + "]"), refused.error());
        framework.unregister(secondService); // refused: nothing to stop, nothing thrown
        assertEquals(List.of("dup/events"), subscriptionNames());
    }

    @Test
    void aTrackerWhoseNameThrowsIsNamedByItsHeader() {
        TestTracker nameless = new TestTracker(null, context -> {
        });
        framework.register(framework.install("test.nameless", "nameless"), nameless);
        assertEquals(TrackerState.RUNNING, manager.find("nameless").orElseThrow().state());
    }

    @Test
    void uninstallingTheLastBundleOfATrackerRemovesItsPinnedMaps() {
        Bundle one = framework.install("test.one", "pinned");
        Bundle two = framework.install("test.two", "pinned"); // another version, installed beside it
        framework.unregister(framework.register(one, TestTracker.subscribing("pinned")));
        Path folder = pins.root().resolve("pinned");
        assertTrue(Files.isDirectory(folder));

        framework.uninstall(one);
        assertTrue(Files.isDirectory(folder), "test.two still carries tracker pinned");
        framework.uninstall(two);
        assertFalse(Files.exists(folder));
    }

    @Test
    void closeStopsEveryTrackerAndLeavesTheFramework() {
        TestTracker a = TestTracker.subscribing("a");
        TestTracker b = TestTracker.subscribing("b");
        framework.register(framework.install("test.a", "a"), a);
        framework.register(framework.install("test.b", "b"), b);
        manager.close();
        assertEquals(1, a.stops);
        assertEquals(1, b.stops);
        assertEquals(List.of(), subscriptionNames());
        assertEquals(0, framework.listeners(), "no listener left in the framework");
        assertEquals(2, framework.released().size());
    }

    private List<String> subscriptionNames() {
        return dispatcher.subscriptions().stream().map(Subscription::name).toList();
    }
}
