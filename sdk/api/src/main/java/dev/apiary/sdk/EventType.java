package dev.apiary.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One event type a tracker produces, declared once in {@link Tracker#events()}: its name
 * (the event's {@link Event#type()}), the record class that carries it, and what it means.
 * Its {@link #fields()} come from the record's components and their {@link FieldDoc}: the
 * same list names the shell's table columns, the JSON keys and {@code tracker:info}'s
 * field descriptions. Immutable.
 *
 * @param name the type, unique within its tracker ("exec", "exit", ...)
 * @param record the record class whose instances have this {@code type()}
 * @param doc one line on when the tracker produces it
 */
public record EventType(String name, Class<? extends Event> record, String doc) {

    public EventType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(record, "record");
        doc = doc == null ? "" : doc;
        if (name.isBlank()) {
            throw new IllegalArgumentException("an event type needs a name");
        }
    }

    /** The fields an event of this type carries after its header and container, in order. */
    public List<EventFields.Field> fields() {
        return EventFields.describe(record);
    }

    /**
     * Several types carried by one record class, each with its own line of documentation,
     * given as name/doc pairs: {@code EventType.of(TcpEvent.class, "connect", "an outgoing
     * connection", "accept", "...")}.
     *
     * @throws IllegalArgumentException when the pairs are uneven
     */
    public static List<EventType> of(Class<? extends Event> record, String... namesAndDocs) {
        if (namesAndDocs.length % 2 != 0) {
            throw new IllegalArgumentException("give each event type's name and its doc");
        }
        List<EventType> out = new ArrayList<>();
        for (int i = 0; i < namesAndDocs.length; i += 2) {
            out.add(new EventType(namesAndDocs[i], record, namesAndDocs[i + 1]));
        }
        return List.copyOf(out);
    }
}
