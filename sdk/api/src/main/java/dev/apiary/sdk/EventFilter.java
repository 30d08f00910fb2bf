package dev.apiary.sdk;

/**
 * Which events a subscriber wants. A null or empty part matches everything.
 *
 * @param tracker   a tracker name
 * @param type      an event type within it
 * @param container a container name, id or id prefix, or "host"
 */
public record EventFilter(String tracker, String type, String container) {

    public static final EventFilter ALL = new EventFilter(null, null, null);

    public EventFilter {
        tracker = blankToNull(tracker);
        type = blankToNull(type);
        container = blankToNull(container);
    }

    public boolean matches(Event event) {
        return (tracker == null || tracker.equals(event.tracker()))
                && (type == null || type.equals(event.type()))
                && (container == null || event.container().matches(container));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
