package dev.apiary.example.ipc;

import dev.apiary.sdk.Event;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The last events of this tracker, oldest first, for ipc:signals and ipc:events: signals,
 * pipes, first transfers, Unix connections and queues are rare enough that a few thousand
 * cover minutes of a busy container. Thread-safe: the subscription adds, commands read.
 */
final class History {

    private final int capacity;
    private final ArrayDeque<Event> events;

    History(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.events = new ArrayDeque<>(capacity);
    }

    synchronized void add(Event event) {
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(event);
    }

    /** A copy, oldest first. */
    synchronized List<Event> snapshot() {
        return List.copyOf(events);
    }
}
