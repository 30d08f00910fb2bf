package dev.apiary.sdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tracker and type that each event class stands for, bound from the one declaration of a
 * tracker's events, {@link Tracker#events()}: so that an event record need not restate them,
 * {@link Event#tracker()} and {@link Event#type()} read them here.
 *
 * <p>Core binds a tracker's declaration before it starts the tracker (a tracker's own tests
 * bind it with {@link #bind(Tracker)}). A record class declared for one type takes that type;
 * a record class declared for several must say which one each event is, by overriding
 * {@code type()} (a component named {@code type}, or a method that maps the record's header
 * type), and {@link #bind} refuses it when it does not.
 *
 * <p>The binding lives with the class (a {@link ClassValue}): a bundle updated to a new
 * version has new classes and is bound anew; nothing keeps an uninstalled bundle's classes.
 * Safe for concurrent use; reading a binding costs one {@code ClassValue} lookup.
 */
public final class EventTypes {

    /** Who declared an event class, and its type when it has one only (else null). */
    record Binding(String tracker, String type) {}

    private static final ClassValue<AtomicReference<Binding>> BINDINGS = new ClassValue<>() {
        @Override
        protected AtomicReference<Binding> computeValue(Class<?> type) {
            return new AtomicReference<>();
        }
    };

    private EventTypes() {
    }

    /** Binds {@code tracker.events()} to {@code tracker.name()}; see {@link #bind(String, List)}. */
    public static void bind(Tracker tracker) {
        bind(tracker.name(), tracker.events());
    }

    /**
     * Binds each declared record class to {@code tracker} (again, after a restart: the same
     * binding is kept).
     *
     * @throws IllegalArgumentException when a record class declared for several types does not
     *     override {@code type()}, or a class is bound to another tracker or other types already;
     *     nothing is bound then
     */
    public static void bind(String tracker, List<EventType> events) {
        Objects.requireNonNull(tracker, "tracker");
        Map<Class<? extends Event>, List<String>> types = new LinkedHashMap<>();
        for (EventType type : events) {
            types.computeIfAbsent(type.record(), r -> new ArrayList<>()).add(type.name());
        }
        Map<Class<? extends Event>, Binding> wanted = new LinkedHashMap<>();
        for (Map.Entry<Class<? extends Event>, List<String>> e : types.entrySet()) {
            Class<? extends Event> record = e.getKey();
            boolean several = e.getValue().size() > 1;
            if (several && !overridesType(record)) {
                throw new IllegalArgumentException(record.getSimpleName() + " is declared for the event types "
                        + e.getValue() + " of tracker " + tracker + ": its type() must say which one each event is");
            }
            Binding binding = new Binding(tracker, several ? null : e.getValue().get(0));
            Binding had = BINDINGS.get(record).get();
            if (had != null && !had.equals(binding)) {
                throw new IllegalArgumentException(record.getName() + " is already declared by tracker " + had.tracker()
                        + (had.type() == null ? "" : " as type " + had.type()));
            }
            wanted.put(record, binding);
        }
        wanted.forEach((record, binding) -> BINDINGS.get(record).set(binding));
    }

    /** Whether {@code record} is bound. */
    public static boolean isBound(Class<?> record) {
        return BINDINGS.get(record).get() != null;
    }

    static String tracker(Event event) {
        return binding(event).tracker();
    }

    static String type(Event event) {
        String type = binding(event).type();
        if (type == null) {
            throw new IllegalStateException(event.getClass().getName() + " carries several event types and does not say which");
        }
        return type;
    }

    private static Binding binding(Event event) {
        Binding binding = BINDINGS.get(event.getClass()).get();
        if (binding == null) {
            throw new IllegalStateException(event.getClass().getName()
                    + " is not declared in the events() of a started tracker (EventTypes.bind)");
        }
        return binding;
    }

    private static boolean overridesType(Class<?> record) {
        try {
            return record.getMethod("type").getDeclaringClass() != Event.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
