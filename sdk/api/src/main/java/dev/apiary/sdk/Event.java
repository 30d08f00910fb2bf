package dev.apiary.sdk;

import dev.apiary.bpf.EventHeader;
import java.util.Map;

/**
 * One thing a tracker saw, immutable. Trackers implement it with records:
 *
 * <pre>{@code
 * public record ExecEvent(EventHeader header, ContainerRef container,
 *         @FieldDoc("the executable's path") String path, ...) implements Event {
 *     public String tracker() { return "exec"; }
 *     public String type() { return "exec"; }
 * }
 * }</pre>
 *
 * The record's own components after {@code header} and {@code container} are the event's
 * fields: they become table columns and JSON keys, in declaration order.
 */
public interface Event {

    /** What the kernel filled in: time, pid, tid, uid, comm, cgroup and namespace ids. */
    EventHeader header();

    /** The container the task ran in. */
    ContainerRef container();

    /** The name of the tracker that produced it, as in {@code tracker:list}. */
    String tracker();

    /** The event type, unique within its tracker: "exec", "exit", ... */
    String type();

    /** The tracker's own fields by name, in display order. */
    default Map<String, Object> fields() {
        return EventFields.of(this);
    }
}
