package dev.apiary.sdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of record events, read through their components. The component list of each
 * record class is looked up once. Safe for concurrent use.
 */
public final class EventFields {

    /** One field of an event type: its name, its Java type, and its documentation ("" if none). */
    public record Field(String name, Class<?> type, String doc) {}

    /**
     * A field and its record component's accessor: {@code accessor} as unreflected (typed to its
     * record and component, for {@link EventJson} to adapt), {@code getter} the same as (Object)Object.
     */
    record Accessor(Field field, MethodHandle accessor, MethodHandle getter) {}

    private static final ClassValue<List<Accessor>> ACCESSORS = new ClassValue<>() {
        @Override
        protected List<Accessor> computeValue(Class<?> type) {
            if (!type.isRecord()) {
                return List.of();
            }
            List<Accessor> out = new ArrayList<>();
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            for (RecordComponent c : type.getRecordComponents()) {
                if (c.getName().equals("header") || c.getName().equals("container")) {
                    continue;
                }
                FieldDoc doc = c.getAnnotation(FieldDoc.class);
                try {
                    MethodHandle accessor = lookup.unreflect(c.getAccessor());
                    // (Object)Object, called with invokeExact: no per-call type adaptation.
                    MethodHandle getter = accessor.asType(MethodType.methodType(Object.class, Object.class));
                    out.add(new Accessor(new Field(c.getName(), c.getType(), doc == null ? "" : doc.value()),
                            accessor, getter));
                } catch (IllegalAccessException e) {
                    // A record that is not public: its fields stay out of generic output.
                    return List.of();
                }
            }
            return List.copyOf(out);
        }
    };

    /** A class's accessors by field name; {@code own} when its fields() is its own, not its components. */
    private record Named(boolean own, Map<String, Accessor> byName) {}

    private static final ClassValue<Named> BY_NAME = new ClassValue<>() {
        @Override
        protected Named computeValue(Class<?> type) {
            Map<String, Accessor> byName = new java.util.HashMap<>();
            for (Accessor a : ACCESSORS.get(type)) {
                byName.put(a.field().name(), a);
            }
            return new Named(!usesRecordFields(type), Map.copyOf(byName));
        }
    };

    private EventFields() {
    }

    /**
     * One of a record event's own fields by its component name, without the map {@link #of}
     * builds: for a sink that reads a few fields of every event. A primitive comes boxed.
     *
     * An event whose {@link Event#fields()} is its own (not its components) is asked that map.
     *
     * @return the value, or null when the event has no such field
     */
    public static Object get(Event event, String name) {
        Named named = BY_NAME.get(event.getClass());
        if (named.own()) {
            return event.fields().get(name);
        }
        Accessor a = named.byName().get(name);
        if (a == null) {
            return null;
        }
        try {
            return (Object) a.getter().invokeExact((Object) event);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read field " + name + " of " + event.getClass().getName(), t);
        }
    }

    /** Whether events of {@code type} take their {@link Event#fields()} from their record components unchanged. */
    static boolean usesRecordFields(Class<?> type) {
        try {
            return type.isRecord() && type.getMethod("fields").getDeclaringClass() == Event.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** The accessors of a record event type's own fields, in order; empty for non-record events. */
    static List<Accessor> accessors(Class<?> type) {
        return ACCESSORS.get(type);
    }

    /** The fields a record event type declares, in order; empty for non-record events. */
    public static List<Field> describe(Class<? extends Event> type) {
        List<Field> fields = new ArrayList<>();
        for (Accessor a : ACCESSORS.get(type)) {
            fields.add(a.field());
        }
        return Collections.unmodifiableList(fields);
    }

    /** The values of a record event's own fields, by name, in declaration order. */
    public static Map<String, Object> of(Event event) {
        List<Accessor> accessors = ACCESSORS.get(event.getClass());
        Map<String, Object> values = new LinkedHashMap<>(accessors.size() * 2);
        for (Accessor a : accessors) {
            try {
                values.put(a.field().name(), (Object) a.getter().invokeExact((Object) event));
            } catch (Throwable t) {
                throw new IllegalStateException("cannot read field " + a.field().name() + " of " + event.getClass().getName(), t);
            }
        }
        return values;
    }
}
