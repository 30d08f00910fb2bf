package ${package};

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/**
 * One openat(2) of a watched task, as it was called (the tracker sees the call, not its
 * outcome). The components after {@code header} and {@code container} are the event's
 * fields: JSON keys and table columns, in this order, described by their {@link FieldDoc}.
 *
 * @param path  the path as the caller passed it, relative ones included; at most
 *              {@link ${trackerClass}Decoder#PATH_LEN} bytes, "" when it was unreadable
 * @param flags the open flags: O_RDONLY 0, O_WRONLY 1, O_RDWR 2, O_CREAT 0100, ...
 */
public record ${trackerClass}Event(EventHeader header, ContainerRef container,
        @FieldDoc("the path as the caller passed it") String path,
        @FieldDoc("the open flags as a number (O_CREAT is 64)") int flags) implements Event {

    /** The event type, as tracker:list shows it. */
    public static final String TYPE = "open";
}
