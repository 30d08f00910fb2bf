package dev.apiary.tracker.file;

import dev.apiary.sdk.Event;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which file events {@code file:events} prints beyond its container: a path prefix (of any
 * of an event's {@link FileEvent#paths()}), access kinds (any of them), failures only. The
 * {@code where} of its tail: runs on the dispatcher's thread, so only what will be printed
 * is queued. Immutable.
 *
 * @param pathPrefix "" for every path
 * @param kinds      empty for every kind
 */
record EventQuery(String pathPrefix, Set<Kind> kinds, boolean failedOnly) implements Predicate<Event> {

    EventQuery {
        kinds = Set.copyOf(kinds);
    }

    @Override
    public boolean test(Event event) {
        if (!(event instanceof FileEvent e)) {
            return false;
        }
        if (failedOnly && e.succeeded()) {
            return false;
        }
        if (!kinds.isEmpty() && kinds.stream().noneMatch(e::is)) {
            return false;
        }
        return pathPrefix.isEmpty() || e.paths().stream().anyMatch(p -> !p.isEmpty() && p.startsWith(pathPrefix));
    }
}
