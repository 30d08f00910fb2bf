package dev.apiary.sdk;

import java.util.List;

/**
 * A tracker: one BPF object and the Java that decodes its records. Register an
 * implementation as an OSGi service (a Declarative Services component) in the tracker's own
 * bundle; core starts it when it appears and stops it when it goes away.
 *
 * <p>{@link #start} runs once per activation, {@link #stop} once after it, on a core thread.
 * Whatever the tracker opened through the context (BPF objects, links, maps, subscriptions)
 * is closed by core after {@code stop} returns, even if {@code start} or {@code stop} threw.
 */
public interface Tracker {

    /**
     * Its name: lower case, unique, used in commands ({@code tracker:stop exec}) and as the
     * event's tracker. By default the {@code Apiary-Tracker} header of its bundle, which
     * {@code apiary-tracker-parent} writes from the pom's {@code <apiary.tracker>}: the one
     * place it is declared ({@link TrackerName}). Core refuses a tracker whose name differs
     * from its bundle's header.
     */
    default String name() {
        return TrackerName.of(getClass());
    }

    /** One line for {@code tracker:list}. */
    String description();

    /**
     * The event types it produces, each with its record class and documentation: the one
     * declaration of its events, from which the shell's columns, the JSON keys and
     * {@code tracker:info} are drawn. The default declares none.
     */
    default List<EventType> events() {
        return List.of();
    }

    /** The names of the event types it produces; by default those of {@link #events()}. */
    default List<String> eventTypes() {
        return events().stream().map(EventType::name).toList();
    }

    /**
     * Loads and attaches the tracker's BPF through {@code context}. A thrown exception (a
     * verifier rejection, say) marks the tracker failed with its message; the runtime goes on.
     */
    void start(TrackerContext context) throws Exception;

    /** Called before core frees what the tracker opened; the default does nothing. */
    default void stop() {
    }
}
