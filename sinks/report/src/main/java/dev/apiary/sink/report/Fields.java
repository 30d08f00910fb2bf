package dev.apiary.sink.report;

import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFields;
import java.util.List;

/**
 * Reads a tracker's event fields by name ({@link EventFields#get}, no map per event): the sink
 * knows the trackers' field names (docs/reports.md lists them), not their classes, so a
 * tracker can be updated or replaced while the sink runs. A missing field reads as empty.
 */
final class Fields {

    private Fields() {
    }

    static String text(Event e, String name) {
        return EventFields.get(e, name) instanceof String s ? s : "";
    }

    static long number(Event e, String name, long otherwise) {
        return EventFields.get(e, name) instanceof Number n ? n.longValue() : otherwise;
    }

    static int integer(Event e, String name, int otherwise) {
        return EventFields.get(e, name) instanceof Number n ? n.intValue() : otherwise;
    }

    static boolean flag(Event e, String name) {
        return EventFields.get(e, name) instanceof Boolean b && b;
    }

    /** A list field's items as text; the trackers' lists of strings come as they are. */
    @SuppressWarnings("unchecked")
    static List<String> texts(Event e, String name) {
        Object v = EventFields.get(e, name);
        if (v instanceof List<?> l) {
            return l.stream().allMatch(String.class::isInstance) ? (List<String>) l : l.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
