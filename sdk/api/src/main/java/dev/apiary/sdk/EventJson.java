package dev.apiary.sdk;

import dev.apiary.bpf.BootClock;
import dev.apiary.bpf.EventHeader;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON shape of an event, written by the one writer every output uses: the headless
 * event log, {@code apiary:events --json}, every tracker's {@code --json} tail, and the
 * embedding API's field names. In order: {@code time} (ISO-8601 UTC), {@code tracker},
 * {@code type}, {@code container} ({@link #container}), the header's {@code pid},
 * {@code tid}, {@code ppid}, {@code uid}, {@code gid}, {@code comm}, {@code cgroup_id},
 * {@code mnt_ns}, {@code pid_ns}, {@code net_ns}, then the tracker's own fields with
 * snake_case keys ({@link #key}). Strings are escaped as RFC 8259 asks, so control
 * characters a container put in them arrive as <code>&#92;u001b</code> (JSON's escape of ESC) and never raw.
 *
 * <p>Stateless and safe for concurrent use. {@link #write} builds no maps: it is on every
 * event's path when the headless runtime logs an exec storm.
 */
public final class EventJson {

    // How to write each field of a record class that takes fields() from its components,
    // computed once per class; null for one that overrides fields() (written from its map).
    private static final ClassValue<FieldWriter[]> WRITERS = new ClassValue<>() {
        @Override
        protected FieldWriter[] computeValue(Class<?> type) {
            if (!EventFields.usesRecordFields(type)) {
                return null;
            }
            List<EventFields.Accessor> accessors = EventFields.accessors(type);
            FieldWriter[] writers = new FieldWriter[accessors.size()];
            for (int i = 0; i < writers.length; i++) {
                writers[i] = FieldWriter.of(accessors.get(i));
            }
            return writers;
        }
    };

    /**
     * One field: {@code ,"key":} ready to append, and its getter typed to what it returns, so
     * that a number is appended without boxing and a string without a map entry.
     */
    private record FieldWriter(String prefix, Kind kind, MethodHandle getter) {

        enum Kind { LONG, INT, BOOLEAN, OBJECT }

        static FieldWriter of(EventFields.Accessor a) {
            Class<?> type = a.field().type();
            Kind kind = type == long.class ? Kind.LONG
                    : type == int.class || type == short.class || type == byte.class ? Kind.INT
                    : type == boolean.class ? Kind.BOOLEAN : Kind.OBJECT;
            MethodHandle getter = switch (kind) {
                case LONG -> typed(a, long.class);
                case INT -> typed(a, int.class);
                case BOOLEAN -> typed(a, boolean.class);
                case OBJECT -> a.getter();
            };
            return new FieldWriter("," + Json.string(key(a.field().name())) + ":", kind, getter);
        }

        private static MethodHandle typed(EventFields.Accessor a, Class<?> returns) {
            return a.accessor().asType(MethodType.methodType(returns, Object.class));
        }

        void write(Event event, StringBuilder out) throws Throwable {
            out.append(prefix);
            switch (kind) {
                case LONG -> out.append((long) getter.invokeExact((Object) event));
                case INT -> out.append((int) getter.invokeExact((Object) event));
                case BOOLEAN -> out.append((boolean) getter.invokeExact((Object) event));
                case OBJECT -> Json.write(out, (Object) getter.invokeExact((Object) event));
            }
        }
    }

    private EventJson() {
    }

    /** {@code event} as one line of JSON, without a newline. */
    public static String of(Event event) {
        StringBuilder out = new StringBuilder(384);
        write(event, out);
        return out.toString();
    }

    /** Appends {@code event} as one JSON object to {@code out}. */
    public static void write(Event event, StringBuilder out) {
        EventHeader h = event.header();
        out.append("{\"time\":\"");
        InstantText.append(BootClock.toEpochNanos(h.tsNanos()), out);
        out.append('"');
        out.append(",\"tracker\":");
        Json.write(out, event.tracker());
        out.append(",\"type\":");
        Json.write(out, event.type());
        out.append(",\"container\":");
        writeContainer(event.container(), out);
        out.append(",\"pid\":").append(h.pid());
        out.append(",\"tid\":").append(h.tid());
        out.append(",\"ppid\":").append(h.ppid());
        out.append(",\"uid\":").append(h.uid());
        out.append(",\"gid\":").append(h.gid());
        out.append(",\"comm\":");
        Json.write(out, h.comm());
        out.append(",\"cgroup_id\":").append(h.cgroupId());
        out.append(",\"mnt_ns\":").append(h.mntNs());
        out.append(",\"pid_ns\":").append(h.pidNs());
        out.append(",\"net_ns\":").append(h.netNs());
        FieldWriter[] writers = WRITERS.get(event.getClass());
        if (writers != null) {
            for (FieldWriter w : writers) {
                try {
                    w.write(event, out);
                } catch (Throwable t) {
                    throw new IllegalStateException("cannot read a field of " + event.getClass().getName(), t);
                }
            }
        } else {
            // An event that overrides fields() (not a plain record): key each name as it comes.
            for (Map.Entry<String, Object> field : event.fields().entrySet()) {
                out.append(',');
                Json.write(out, key(field.getKey()));
                out.append(':');
                Json.write(out, field.getValue());
            }
        }
        out.append('}');
    }

    /** The same object as {@link #write} writes, as a map (for pretty printing or an API). */
    public static Map<String, Object> map(Event event) {
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
        out.putAll(fields(event));
        return out;
    }

    /** The tracker's own fields of {@code event} with their JSON keys, in declaration order. */
    public static Map<String, Object> fields(Event event) {
        Map<String, Object> fields = event.fields();
        Map<String, Object> out = new LinkedHashMap<>(fields.size() * 2);
        fields.forEach((name, value) -> out.put(key(name), value));
        return out;
    }

    /**
     * A container as every output shows it: {@code id}, {@code name}, {@code image},
     * {@code runtime}, then {@code pod} and {@code namespace} when Kubernetes named them and
     * {@code labels} (sorted) when it has any.
     */
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

    /** {@link #container} written straight to {@code out}: no map per event on the log's path. */
    private static void writeContainer(ContainerRef c, StringBuilder out) {
        if (c.isHost()) {
            out.append(HOST_JSON);
            return;
        }
        out.append("{\"id\":");
        Json.write(out, c.id());
        out.append(",\"name\":");
        Json.write(out, c.name());
        out.append(",\"image\":");
        Json.write(out, c.image());
        out.append(",\"runtime\":");
        Json.write(out, c.runtime());
        if (!c.pod().isEmpty()) {
            out.append(",\"pod\":");
            Json.write(out, c.pod());
            out.append(",\"namespace\":");
            Json.write(out, c.namespace());
        }
        if (!c.labels().isEmpty()) {
            out.append(",\"labels\":");
            Json.write(out, new TreeMap<>(c.labels()));
        }
        out.append('}');
    }

    private static final String HOST_JSON = Json.of(container(ContainerRef.HOST));

    /** A field's JSON key: {@code argsTruncated} → {@code args_truncated}. */
    public static String key(String fieldName) {
        StringBuilder sb = new StringBuilder(fieldName.length() + 4);
        for (int i = 0; i < fieldName.length(); i++) {
            char c = fieldName.charAt(i);
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
