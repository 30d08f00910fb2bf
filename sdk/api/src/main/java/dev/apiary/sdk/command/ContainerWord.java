package dev.apiary.sdk.command;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The container word every command takes the same way: an optional last argument that is a
 * container's name, its id or a prefix of its id (as {@code docker} takes them), or
 * {@code host} for the processes outside any container; without it a command covers every
 * container. In Gogo the word is a trailing {@code String...} parameter, so one method serves
 * both forms:
 *
 * <pre>{@code
 * @Descriptor("...")
 * public String top(@Parameter(names = "--json", ...) boolean json,
 *         @Descriptor(ContainerWord.DESCRIPTION) String... container) {
 *     ContainerWord.Choice only = ContainerWord.choose(container, containers, seen);
 * }</pre>
 *
 * Stateless.
 */
public final class ContainerWord {

    /** What a command's {@code @Descriptor} says of its container word. */
    public static final String DESCRIPTION = "a container name, id or id prefix, or 'host' (default: every container)";

    /**
     * Which containers a command covers: every one, or those its words named (possibly the host).
     *
     * @param chosen the containers named, in the order given; empty for every container
     */
    public record Choice(List<ContainerRef> chosen) {

        public static final Choice ALL = new Choice(List.of());

        public Choice {
            chosen = List.copyOf(chosen);
        }

        public boolean isAll() {
            return chosen.isEmpty();
        }

        /** Whether {@code container} is among the chosen. */
        public boolean includes(ContainerRef container) {
            if (chosen.isEmpty()) {
                return true;
            }
            for (ContainerRef c : chosen) {
                if (c.id().equals(container.id())) {
                    return true;
                }
            }
            return false;
        }

        /** The one container named, or null for every container. */
        public ContainerRef only() {
            return chosen.isEmpty() ? null : chosen.getFirst();
        }

        /** The full id for an {@link dev.apiary.sdk.EventFilter}'s container, or null for every container. */
        public String filterWord() {
            return chosen.isEmpty() ? null : chosen.getFirst().id();
        }

        /** What a table says when it is empty: "web", "web, db" or "every container". */
        public String describe() {
            return chosen.isEmpty() ? "every container"
                    : chosen.stream().map(c -> Text.safe(c.displayName())).collect(Collectors.joining(", "));
        }
    }

    private ContainerWord() {
    }

    /**
     * The choice the optional words of a command make, among the containers core knows and
     * those the command itself has seen (a short-lived container the runtime API never named
     * is still in a tracker's table).
     *
     * @param words   the command's trailing words: none, or one
     * @param seen    containers known to the command beyond {@code containers}; may be empty
     * @throws IllegalArgumentException with the text to show: more than one word, a word that
     *         names no container (listing the running ones), or an id prefix that names several
     */
    public static Choice choose(String[] words, Containers containers, Collection<ContainerRef> seen) {
        if (words == null || words.length == 0) {
            return Choice.ALL;
        }
        if (words.length > 1) {
            throw new IllegalArgumentException("give one container (a name, an id prefix or 'host'), not "
                    + words.length + ": " + Text.safe(String.join(" ", words)));
        }
        List<Container> known = known(containers);
        return new Choice(List.of(resolve(words[0], candidates(known, seen), running(known, seen))));
    }

    /**
     * Like {@link #choose}, for a command that takes any number of container words
     * ({@code syscall:top web db}); naming one twice counts once.
     */
    public static Choice chooseSome(String[] words, Containers containers, Collection<ContainerRef> seen) {
        if (words == null || words.length == 0) {
            return Choice.ALL;
        }
        List<Container> known = known(containers);
        List<ContainerRef> candidates = candidates(known, seen);
        List<ContainerRef> running = running(known, seen);
        Map<String, ContainerRef> chosen = new LinkedHashMap<>();
        for (String w : words) {
            ContainerRef c = resolve(w, candidates, running);
            chosen.putIfAbsent(c.id(), c);
        }
        return new Choice(List.copyOf(chosen.values()));
    }

    /** {@link #choose} among the containers core knows only. */
    public static Choice choose(String[] words, Containers containers) {
        return choose(words, containers, List.of());
    }

    /**
     * The one container {@code word} names among {@code candidates}: "host"; else a
     * container whose name or full id it is; else the one container whose id starts with it.
     *
     * @throws IllegalArgumentException when none or several match, with the text to show
     */
    public static ContainerRef resolve(String word, Collection<ContainerRef> candidates) {
        return resolve(word, candidates, candidates);
    }

    private static ContainerRef resolve(String word, Collection<ContainerRef> candidates, Collection<ContainerRef> running) {
        return resolve(word, candidates, running, true);
    }

    /**
     * The one container {@code word} names among those core knows and {@code seen}, for a
     * command that acts on a container and has nothing to do on the host ({@code ns:show web}).
     *
     * @param whyNotHost what to say when the word is {@code host}, e.g. "the host has no
     *        container namespaces of its own"
     * @throws IllegalArgumentException the kit's texts (none, several), without offering 'host'
     */
    public static ContainerRef container(String word, Containers containers, Collection<ContainerRef> seen, String whyNotHost) {
        List<Container> known = known(containers);
        String w = word == null ? "" : word.strip();
        if (w.equals(ContainerRef.HOST_ID)) {
            throw new IllegalArgumentException("give a container: " + whyNotHost);
        }
        return resolve(w, candidates(known, seen), running(known, seen), false);
    }

    private static ContainerRef resolve(String word, Collection<ContainerRef> candidates, Collection<ContainerRef> running,
            boolean hostToo) {
        String w = word == null ? "" : word.strip();
        if (w.startsWith("/")) {
            w = w.substring(1); // Docker's own spelling of a name
        }
        if (w.isEmpty()) {
            throw new IllegalArgumentException(hostToo ? "give a container name, an id prefix or 'host'"
                    : "give a container name or an id prefix");
        }
        if (w.equals(ContainerRef.HOST_ID)) {
            return ContainerRef.HOST;
        }
        Map<String, ContainerRef> byId = new LinkedHashMap<>();
        for (ContainerRef c : candidates) {
            if (!c.isHost()) {
                byId.putIfAbsent(c.id(), c);
            }
        }
        for (ContainerRef c : byId.values()) {
            if (w.equals(c.name()) || w.equals(c.id())) {
                return c;
            }
        }
        List<ContainerRef> prefixed = new ArrayList<>();
        for (ContainerRef c : byId.values()) {
            if (c.id().startsWith(w)) {
                prefixed.add(c);
            }
        }
        if (prefixed.size() == 1) {
            return prefixed.getFirst();
        }
        if (prefixed.size() > 1) {
            throw new IllegalArgumentException("'" + Text.safe(w) + "' is the start of " + prefixed.size()
                    + " containers' ids: " + prefixed.stream().map(c -> Text.safe(c.displayName()) + " (" + c.shortId() + ")")
                    .collect(Collectors.joining(", ")) + "; give more of the id or the name");
        }
        throw new IllegalArgumentException(notFound(w, running, hostToo));
    }

    /** "no container named X; running: a, b, c (or 'host')", the one text for a word that names nothing. */
    public static String notFound(String word, Collection<ContainerRef> known) {
        return notFound(word, known, true);
    }

    /** {@link #notFound(String, Collection)}, offering 'host' only when {@code hostToo}: for commands that take it. */
    public static String notFound(String word, Collection<ContainerRef> known, boolean hostToo) {
        String names = known.stream().filter(c -> !c.isHost()).map(c -> Text.safe(c.displayName()))
                .distinct().sorted().collect(Collectors.joining(", "));
        return "no container named " + Text.safe(word) + "; running: " + (names.isEmpty() ? "none" : names)
                + (hostToo ? " (or 'host')" : "");
    }

    private static List<Container> known(Containers containers) {
        return containers == null ? List.of() : containers.list();
    }

    private static List<ContainerRef> running(List<Container> known, Collection<ContainerRef> seen) {
        List<ContainerRef> running = new ArrayList<>(seen);
        known.stream().filter(Container::running).map(Container::ref).forEach(running::add);
        return running;
    }

    /** Running ones first, then what the command has seen: a stopped container that shares a name or prefix comes after. */
    private static List<ContainerRef> candidates(List<Container> known, Collection<ContainerRef> seen) {
        List<ContainerRef> out = new ArrayList<>();
        known.stream().filter(Container::running).map(Container::ref).forEach(out::add);
        out.addAll(seen);
        known.stream().filter(c -> !c.running()).map(Container::ref).forEach(out::add);
        return out;
    }
}
