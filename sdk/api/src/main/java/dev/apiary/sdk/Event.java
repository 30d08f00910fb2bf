package dev.apiary.sdk;

import dev.apiary.bpf.EventHeader;
import java.util.Map;

/**
 * One thing a tracker saw, immutable. Trackers implement it with records:
 *
 * <pre>{@code
 * public record ExecEvent(EventHeader header, ContainerRef container,
 *         @FieldDoc("the executable's path") String path, ...) implements Event {
 * }
 * }</pre>
 *
 * The record's own components after {@code header} and {@code container} are the event's
 * fields: they become table columns and JSON keys, in declaration order. Its tracker and type
 * are those of its declaration in {@link Tracker#events()} (see {@link EventTypes}); a record
 * class that carries several types overrides {@link #type()}.
 */
public interface Event {

    /** What the kernel filled in: time, pid, tid, uid, comm, cgroup and namespace ids. */
    EventHeader header();

    /** The container the task ran in. */
    ContainerRef container();

    /**
     * The name of the tracker that produced it, as in {@code tracker:list}: the tracker whose
     * {@link Tracker#events()} declares its class.
     *
     * @throws IllegalStateException when no started tracker declares its class
     */
    default String tracker() {
        return EventTypes.tracker(this);
    }

    /**
     * The event type, unique within its tracker: "exec", "exit", ... By default the one type
     * its class is declared for in {@link Tracker#events()}.
     *
     * @throws IllegalStateException when no started tracker declares its class, or declares it for several types
     */
    default String type() {
        return EventTypes.type(this);
    }

    /** The tracker's own fields by name, in display order. */
    default Map<String, Object> fields() {
        return EventFields.of(this);
    }
}
