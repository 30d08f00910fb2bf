package dev.apiary.core.output;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An event as people and programs see it: one flat-ish map with the time, the tracker and
 * type, the container, the header's process fields, then the tracker's own fields, all with
 * snake_case keys. The same map feeds JSON lines and table rows.
 */
public final class EventView {

    // The snake_case key of each field name, computed once: this is on every event's path.
    private static final Map<String, String> SNAKE_KEYS = new ConcurrentHashMap<>();

    private EventView() {
    }

    /**
     * Writes {@link #of(Event)}'s map as one JSON object straight to {@code g}, without
     * building maps or asking Jackson for serializers of common values: the headless event
     * log's path, where an exec storm is 100,000 events a second. {@code g} needs Jackson's
     * codec for field values of other types than strings, numbers, booleans and lists.
     */
    public static void write(Event event, JsonGenerator g) throws IOException {
        EventHeader h = event.header();
        g.writeStartObject();
        g.writeStringField("time", BootClock.toInstant(h.tsNanos()).toString());
        g.writeStringField("tracker", event.tracker());
        g.writeStringField("type", event.type());
        g.writeFieldName("container");
        writeContainer(event.container(), g);
        g.writeNumberField("pid", h.pid());
        g.writeNumberField("tid", h.tid());
        g.writeNumberField("ppid", h.ppid());
        g.writeNumberField("uid", h.uid());
        g.writeNumberField("gid", h.gid());
        g.writeStringField("comm", h.comm());
        g.writeNumberField("cgroup_id", h.cgroupId());
        g.writeNumberField("mnt_ns", h.mntNs());
        g.writeNumberField("pid_ns", h.pidNs());
        g.writeNumberField("net_ns", h.netNs());
        for (Map.Entry<String, Object> f : event.fields().entrySet()) {
            g.writeFieldName(SNAKE_KEYS.computeIfAbsent(f.getKey(), EventView::snakeCase));
            writeValue(f.getValue(), g);
        }
        g.writeEndObject();
    }

    /** {@link #container(ContainerRef)} as JSON. */
    private static void writeContainer(ContainerRef c, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", c.id());
        g.writeStringField("name", c.name());
        g.writeStringField("image", c.image());
        g.writeStringField("runtime", c.runtime());
        if (!c.pod().isEmpty()) {
            g.writeStringField("pod", c.pod());
            g.writeStringField("namespace", c.namespace());
        }
        if (!c.labels().isEmpty()) {
            g.writeObjectField("labels", new TreeMap<>(c.labels()));
        }
        g.writeEndObject();
    }

    private static void writeValue(Object v, JsonGenerator g) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Boolean b -> g.writeBoolean(b);
            case List<?> list -> {
                g.writeStartArray();
                for (Object e : list) {
                    writeValue(e, g);
                }
                g.writeEndArray();
            }
            default -> g.writeObject(v);
        }
    }

    public static Map<String, Object> of(Event event) {
        EventHeader h = event.header();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("time", BootClock.toInstant(h.tsNanos()).toString());
        out.put("tracker", event.tracker());
        out.put("type", event.type());
        out.put("container", container(event.container()));
        out.put("pid", h.pid());
        out.put("tid", h.tid());
        out.put("ppid", h.ppid());
        out.put("uid", h.uid());
        out.put("gid", h.gid());
        out.put("comm", h.comm());
        out.put("cgroup_id", h.cgroupId());
        out.put("mnt_ns", h.mntNs());
        out.put("pid_ns", h.pidNs());
        out.put("net_ns", h.netNs());
        for (Map.Entry<String, Object> f : event.fields().entrySet()) {
            out.put(SNAKE_KEYS.computeIfAbsent(f.getKey(), EventView::snakeCase), f.getValue());
        }
        return out;
    }

    public static Map<String, Object> container(ContainerRef c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.id());
        out.put("name", c.name());
        out.put("image", c.image());
        out.put("runtime", c.runtime());
        if (!c.pod().isEmpty()) {
            out.put("pod", c.pod());
            out.put("namespace", c.namespace());
        }
        if (!c.labels().isEmpty()) {
            out.put("labels", new TreeMap<>(c.labels()));
        }
        return out;
    }

    /** {@code argsTruncated} → {@code args_truncated}. */
    public static String snakeCase(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
