package ${package};

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code ${trackerName}:recent} shell command: the last opens the tracker saw, as a table or
 * JSON. A Gogo command is a plain service with {@code osgi.command.scope} and
 * {@code osgi.command.function} properties; each public method of that name is one form of the
 * command, and every wrong argument gets one line that says what was expected.
 */
@Component(service = ${trackerClass}Commands.class, property = {
    "osgi.command.scope=${trackerName}",
    "osgi.command.function=recent"})
public final class ${trackerClass}Commands {

    static final int DEFAULT_COUNT = 20;

    private final ${trackerClass}Tracker tracker;

    @Activate
    public ${trackerClass}Commands(@Reference ${trackerClass}Tracker tracker) {
        this.tracker = tracker;
    }

    @Descriptor("show the last opens of every watched container, oldest first: container, pid, command, flags, path")
    public String recent(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("how many to show, 1 to 1000 (default 20)")
            @Parameter(names = {"-n", "--count"}, absentValue = "20") String count) {
        return render(tracker.recent(count(count), c -> true), json);
    }

    @Descriptor("show the last opens of one container, oldest first: container, pid, command, flags, path")
    public String recent(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("how many to show, 1 to 1000 (default 20)")
            @Parameter(names = {"-n", "--count"}, absentValue = "20") String count,
            @Descriptor("a container name, id, id prefix (3+ characters), or 'host'") String container) {
        int n = count(count);
        return render(tracker.recent(n, container(container)), json);
    }

    /** @throws IllegalArgumentException when {@code word} is not a whole number from 1 to KEPT */
    static int count(String word) {
        try {
            int n = Integer.parseInt(word.trim());
            if (n >= 1 && n <= ${trackerClass}Tracker.KEPT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("--count must be a whole number from 1 to " + ${trackerClass}Tracker.KEPT
                + ", not '" + word + "'");
    }

    /** The container a user's word names: 'host', one seen in an event, or one core knows. */
    private Predicate<ContainerRef> container(String word) {
        if (ContainerRef.HOST_ID.equals(word)) {
            return ContainerRef::isHost;
        }
        if (!tracker.recent(1, c -> c.matches(word)).isEmpty()) {
            return c -> c.matches(word);
        }
        Containers containers = tracker.containers().orElseThrow(this::notRunning);
        ContainerRef ref = containers.find(word).map(Container::ref).orElseThrow(() -> new IllegalArgumentException(
                "no container named '" + word + "' (give a name, an id or an id prefix; apiary:containers lists them)"));
        return c -> c.id().equals(ref.id());
    }

    private String render(List<${trackerClass}Event> events, boolean json) {
        if (tracker.containers().isEmpty()) {
            throw notRunning();
        }
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (${trackerClass}Event e : events) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("container", e.container().displayName());
                m.put("pid", e.header().pid());
                m.put("comm", e.header().comm());
                m.put("flags", e.flags());
                m.put("path", e.path());
                out.add(m);
            }
            return Json.of(out);
        }
        if (events.isEmpty()) {
            return "no opens seen yet";
        }
        StringBuilder table = new StringBuilder(String.format("%-20s %8s %-16s %8s  %s%n", "CONTAINER", "PID", "COMMAND", "FLAGS", "PATH"));
        for (${trackerClass}Event e : events) {
            table.append(String.format("%-20.20s %8d %-16s %8s  %s%n", e.container().displayName(), e.header().pid(),
                    e.header().comm(), "0" + Integer.toOctalString(e.flags()), e.path()));
        }
        return table.toString().stripTrailing();
    }

    private IllegalStateException notRunning() {
        return new IllegalStateException("the ${trackerName} tracker is not running (tracker:start ${trackerName})");
    }
}
