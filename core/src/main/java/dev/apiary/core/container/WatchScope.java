package dev.apiary.core.container;

import dev.apiary.sdk.ContainerRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which tasks the trackers record, as a user writes it:
 * <ul>
 * <li>{@code all} — everything, the host included;</li>
 * <li>{@code containers} — every container, not the host;</li>
 * <li>{@code name=web,label=app=shop,label=tier} — only the containers a selector matches: by
 *     name (or id / id prefix of 3+ characters, as {@link ContainerRef#matches} accepts), by label
 *     value, or by the label's presence ({@code label=key}).</li>
 * </ul>
 * Immutable.
 *
 * @param mode      what is watched
 * @param selectors the selectors of {@link Mode#SELECTED}; empty otherwise
 */
public record WatchScope(Mode mode, List<Selector> selectors) {

    public enum Mode {
        ALL, CONTAINERS, SELECTED
    }

    /** One {@code name=} or {@code label=} selector. */
    public sealed interface Selector {
        boolean matches(ContainerRef ref);
    }

    /** {@code name=<name or id>}. */
    public record NameSelector(String name) implements Selector {
        @Override
        public boolean matches(ContainerRef ref) {
            return !ref.isHost() && ref.matches(name);
        }
    }

    /** {@code label=<key>=<value>}, or {@code label=<key>} (value null: any value). */
    public record LabelSelector(String key, String value) implements Selector {
        @Override
        public boolean matches(ContainerRef ref) {
            String actual = ref.labels().get(key);
            return actual != null && (value == null || value.equals(actual));
        }
    }

    public static final WatchScope ALL = new WatchScope(Mode.ALL, List.of());
    public static final WatchScope CONTAINERS = new WatchScope(Mode.CONTAINERS, List.of());

    public WatchScope {
        Objects.requireNonNull(mode, "mode");
        selectors = List.copyOf(selectors);
        if ((mode == Mode.SELECTED) == selectors.isEmpty()) {
            throw new IllegalArgumentException(mode == Mode.SELECTED ? "a selected scope needs selectors"
                    : "scope " + mode + " takes no selectors");
        }
    }

    /**
     * Parses a scope string.
     *
     * @throws IllegalArgumentException with what is wrong and what is accepted
     */
    public static WatchScope parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.equalsIgnoreCase("all")) {
            return ALL;
        }
        if (s.equalsIgnoreCase("containers")) {
            return CONTAINERS;
        }
        List<Selector> selectors = new ArrayList<>();
        for (String item : s.split(",")) {
            String part = item.strip();
            if (part.startsWith("name=") && part.length() > "name=".length()) {
                selectors.add(new NameSelector(part.substring("name=".length())));
            } else if (part.startsWith("label=") && part.length() > "label=".length()) {
                String kv = part.substring("label=".length());
                int eq = kv.indexOf('=');
                if (eq == 0) {
                    throw bad(text, "'" + part + "' has no label key");
                }
                selectors.add(eq < 0 ? new LabelSelector(kv, null) : new LabelSelector(kv.substring(0, eq), kv.substring(eq + 1)));
            } else {
                throw bad(text, part.isEmpty() ? "an empty selector" : "'" + part + "' is not a selector");
            }
        }
        return new WatchScope(Mode.SELECTED, selectors);
    }

    private static IllegalArgumentException bad(String text, String what) {
        return new IllegalArgumentException("watch scope '" + text + "': " + what
                + "; expected 'all', 'containers', or a comma list of name=<name|id> and label=<key>[=<value>]");
    }

    /** Whether events of this container are recorded. */
    public boolean watches(ContainerRef ref) {
        return switch (mode) {
            case ALL -> true;
            case CONTAINERS -> !ref.isHost();
            case SELECTED -> selectors.stream().anyMatch(s -> s.matches(ref));
        };
    }

    @Override
    public String toString() {
        return switch (mode) {
            case ALL -> "all";
            case CONTAINERS -> "containers";
            case SELECTED -> String.join(",", selectors.stream().map(s -> switch (s) {
                case NameSelector n -> "name=" + n.name();
                case LabelSelector l -> "label=" + l.key() + (l.value() == null ? "" : "=" + l.value());
            }).toList());
        };
    }
}
