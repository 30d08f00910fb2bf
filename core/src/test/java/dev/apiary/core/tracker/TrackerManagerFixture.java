package dev.apiary.core.tracker;

import dev.apiary.core.dispatch.ContainerLookup;
import dev.apiary.core.dispatch.Dispatcher;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.testing.TestContainers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What ApiaryRuntime gives a {@link TrackerManager}, without core's own BPF object: a started
 * dispatcher that names every task the host, pins in a test's folder, no shared watched map
 * (trackers then watch everything), and a {@link FakeFramework} for bundles and services.
 * Closing closes the manager, the dispatcher and the pins, in that order.
 */
final class TrackerManagerFixture implements AutoCloseable {

    /** Containers that know none. */
    static final Containers NO_CONTAINERS = TestContainers.of();

    final FakeFramework framework = new FakeFramework();
    final Dispatcher dispatcher = new Dispatcher(ContainerLookup.HOST_ONLY, Duration.ofMillis(20), Duration.ofSeconds(1));
    final TrackerPins pins;
    private TrackerManager manager;

    TrackerManagerFixture(Path pinBase) {
        dispatcher.start();
        pins = TrackerPins.create(pinBase);
    }

    /** A manager made as ApiaryRuntime makes it, not opened yet; the one made before is closed. */
    TrackerManager newManager() {
        if (manager != null) {
            manager.close();
        }
        manager = new TrackerManager(framework.context, dispatcher, NO_CONTAINERS, Optional.empty(), 64 * 1024, pins);
        return manager;
    }

    /** The manager made last. */
    TrackerManager manager() {
        return manager;
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
        dispatcher.close();
        pins.close();
    }
}
