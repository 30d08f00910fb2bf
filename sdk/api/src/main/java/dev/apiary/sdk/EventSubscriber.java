package dev.apiary.sdk;

/**
 * Receives events: register it as an OSGi service (whiteboard) and core subscribes it, or
 * pass it to {@link Events#subscribe}. Each subscriber gets its own bounded queue and thread:
 * when it falls behind, new events for it are dropped and counted, and nobody else waits.
 */
@FunctionalInterface
public interface EventSubscriber {

    /** Called on the subscriber's own thread, one event at a time, in the order they were queued. */
    void onEvent(Event event);

    /**
     * Called on the subscriber's own thread when it has taken every queued event, after the
     * last {@link #onEvent}: a sink that buffers its output flushes here, so a burst costs
     * one write instead of one per event and nothing waits in a buffer while it is quiet.
     */
    default void onQueueEmpty() {
    }

    /** Which events to queue for it. */
    default EventFilter filter() {
        return EventFilter.ALL;
    }

    /** How many events may wait for it before new ones are dropped. */
    default int queueCapacity() {
        return 8192;
    }

    /**
     * A subscriber that hands the events {@code filter} matches to {@code onEvent}, with a
     * queue of {@code queueCapacity}: what a tracker needs to keep a table from its own events.
     */
    static EventSubscriber of(EventFilter filter, int queueCapacity, java.util.function.Consumer<Event> onEvent) {
        record Simple(EventFilter filter, int queueCapacity, java.util.function.Consumer<Event> consumer)
                implements EventSubscriber {
            @Override
            public void onEvent(Event event) {
                consumer.accept(event);
            }
        }
        return new Simple(filter, queueCapacity, onEvent);
    }
}
