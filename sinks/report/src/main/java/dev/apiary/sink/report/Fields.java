package dev.apiary.sink.report;

import java.util.List;
import java.util.Map;

/**
 * Reads a tracker's event fields by name from {@link dev.apiary.sdk.Event#fields()}: the sink
 * knows the trackers' field names (docs/reports.md lists them), not their classes, so a
 * tracker can be updated or replaced while the sink runs. A missing field reads as empty.
 */
final class Fields {

    private Fields() {
    }

    static String text(Map<String, Object> f, String name) {
        return f.get(name) instanceof String s ? s : "";
    }

    static long number(Map<String, Object> f, String name, long otherwise) {
        return f.get(name) instanceof Number n ? n.longValue() : otherwise;
    }

    static int integer(Map<String, Object> f, String name, int otherwise) {
        return f.get(name) instanceof Number n ? n.intValue() : otherwise;
    }

    static boolean flag(Map<String, Object> f, String name) {
        return f.get(name) instanceof Boolean b && b;
    }

    static List<String> texts(Map<String, Object> f, String name) {
        if (f.get(name) instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
