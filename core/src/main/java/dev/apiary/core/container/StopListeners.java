package dev.apiary.core.container;

import dev.apiary.sdk.ContainerStop;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who wants to hear of containers that stop ({@link dev.apiary.sdk.Containers#onStop}), told on
 * a thread of their own: the Docker watcher's threads, which report the stop, never wait for a
 * sink writing its report. Safe for concurrent use.
 */
final class StopListeners implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StopListeners.class);

    private final CopyOnWriteArrayList<Consumer<ContainerStop>> listeners = new CopyOnWriteArrayList<>();
    // One thread, made on the first stop told while someone listens: stops are told in order.
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("apiary-container-stops").factory());

    AutoCloseable add(Consumer<ContainerStop> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Hands the stop to every listener, later, on the listeners' thread; nothing when none listens. */
    void tell(ContainerStop stop) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            thread.execute(() -> {
                for (Consumer<ContainerStop> l : listeners) {
                    try {
                        l.accept(stop);
                    } catch (RuntimeException e) {
                        LOG.warn("a container-stop listener failed on {}: {}", stop.container().ref().displayName(),
                                e.toString());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed: the runtime is stopping, nobody is left to tell.
        }
    }

    @Override
    public void close() {
        listeners.clear();
        thread.shutdownNow();
    }
}
