package dev.apiary.tracker.xdp;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Text;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The targets of the xdp commands, both ways: what a user's word names (a container, taken
 * as every command takes one with {@link ContainerWord}: a name, an id or an id prefix; or a
 * host network interface by its name), and how a target shows in JSON.
 *
 * <p>Reads the backend's attachments and containers at each call and holds no state: safe for
 * concurrent use. Every refusal is an {@link IllegalArgumentException} with one line that
 * says what is wrong, the kit's text where the kit refuses, names a container chose escaped.
 */
final class Targets {

    private final XdpBackend xdp;

    Targets(XdpBackend xdp) {
        this.xdp = xdp;
    }

    /**
     * What {@code xdp:attach} passes the tracker for a user's word: the full id of the
     * container it names, else the host interface of that name.
     *
     * @throws IllegalArgumentException for a word that names neither (the kit's text, and that
     *         no interface has that name), or several containers, or 'host' (not an interface)
     */
    String attachWord(String word) {
        Containers containers = xdp.containers();
        ContainerRef c;
        try {
            c = ContainerWord.choose(new String[] {word}, containers, List.of()).only();
        } catch (IllegalArgumentException e) {
            // No container by that word (or several): an interface of that name, unless the
            // tracker's own lookup would take the word for a container.
            if (xdp.hostInterface(word) && containers.list().stream().noneMatch(k -> k.ref().matches(word))) {
                return word;
            }
            if (e.getMessage().startsWith("no container named ")) {
                throw new IllegalArgumentException(e.getMessage() + "; nor a host network interface (ip link lists them)", e);
            }
            throw e;
        }
        if (!c.isHost()) {
            return c.id();
        }
        if (xdp.hostInterface(word)) {
            return word; // an interface named "host"
        }
        throw new IllegalArgumentException("'host' is not an interface: attach a host network interface by its name"
                + " (ip link lists them)");
    }

    /** The attachment a user's word names: an attached container, or an attached host interface by its name. */
    Attachment attached(String word) {
        List<Attachment> found = select(word, false);
        return found.getFirst();
    }

    /** The attachments a command's optional word chooses; null for every attachment. */
    List<Attachment> chosen(String[] words) {
        if (words == null || words.length == 0) {
            return null;
        }
        if (words.length > 1) {
            ContainerWord.choose(words, xdp.containers(), List.of()); // refuses with the kit's "give one container" text
        }
        return select(words[0], true);
    }

    /**
     * The attachments {@code word} names: the container it names as {@link ContainerWord}
     * takes it (among those core knows and those attached), else the attached interface of
     * that name; 'host' is every attached host interface when {@code many}.
     *
     * @throws IllegalArgumentException naming what is wrong: the kit's text for a word that
     *         names no container (or several), or that the container or interface is not attached
     */
    private List<Attachment> select(String word, boolean many) {
        List<Attachment> all = xdp.attachments();
        Optional<Attachment> byName = all.stream().filter(a -> !a.isContainer() && a.interfaceName().equals(word)).findFirst();
        List<ContainerRef> seen = all.stream().filter(Attachment::isContainer).map(Attachment::container).toList();
        ContainerRef c;
        try {
            c = ContainerWord.choose(new String[] {word}, xdp.containers(), seen).only();
        } catch (IllegalArgumentException e) {
            if (byName.isPresent()) {
                return List.of(byName.get());
            }
            if (xdp.hostInterface(word)) {
                throw notAttached(word);
            }
            throw e;
        }
        if (c.isHost()) {
            if (byName.isPresent()) {
                return List.of(byName.get()); // an interface named "host"
            }
            List<Attachment> interfaces = all.stream().filter(a -> !a.isContainer()).toList();
            if (many) {
                return interfaces;
            }
            throw new IllegalArgumentException("'host' is not one attachment: give the host interface's name (attached: "
                    + (interfaces.isEmpty() ? "none" : describe(interfaces)) + ")");
        }
        for (Attachment a : all) {
            if (a.isContainer() && a.container().id().equals(c.id())) {
                return List.of(a);
            }
        }
        if (byName.isPresent()) {
            return List.of(byName.get());
        }
        throw notAttached(c.displayName());
    }

    private static IllegalArgumentException notAttached(String name) {
        String n = Text.safe(name);
        return new IllegalArgumentException("'" + n + "' is not attached (xdp:attach " + n
                + " first; xdp:stats lists the attachments)");
    }

    /** The attachments' targets, escaped, comma-separated. */
    static String describe(List<Attachment> attachments) {
        return attachments.stream().map(a -> Text.safe(a.target())).collect(Collectors.joining(", "));
    }

    /**
     * {@code target} (what tables show) and {@code container} (as every JSON has it; null for
     * an interface): a new map, for the caller to add its own keys to.
     */
    static Map<String, Object> json(Attachment a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", a.target());
        m.put("container", a.isContainer() ? EventJson.container(a.container()) : null);
        return m;
    }
}
