package ${package};

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The ${trackerName} tracker: loads {@code bpf/${trackerName}.bpf.o} from this bundle, decodes its
 * records into {@link ${trackerClass}Event}s, and keeps the last {@value #KEPT} of each container
 * (the host counts as one) for {@code ${trackerName}:recent}, so that a busy container does not push
 * out a quiet one's.
 *
 * <p>A Declarative Services component registered as a {@link Tracker}, which core starts when
 * it appears and stops when this bundle stops (freeing every program, map and subscription
 * opened through the context), and under its own class for {@link ${trackerClass}Commands}.
 * Its configuration (PID {@value #PID}, e.g. a file {@code conf/${trackerName}.cfg} with
 * {@code flagsMask=64}) sets which opens the kernel side sends; a change re-creates the
 * component, and core restarts the tracker with it.
 */
@Component(service = {Tracker.class, ${trackerClass}Tracker.class}, configurationPid = ${trackerClass}Tracker.PID)
public final class ${trackerClass}Tracker implements Tracker {

    public static final String NAME = "${trackerName}";
    public static final String PID = "${trackerName}";
    static final String OBJECT = "bpf/${trackerName}.bpf.o";

    /** Events kept per container for ${trackerName}:recent; the oldest go first. */
    static final int KEPT = 1000;

    /** Containers whose events are kept; the one whose last event is the oldest goes first. */
    static final int CONTAINERS = 64;

    private final int flagsMask;
    /** The last events by container id, each oldest first; guarded by itself. */
    private final LinkedHashMap<String, Deque<${trackerClass}Event>> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<${trackerClass}Event>> eldest) {
            return size() > CONTAINERS;
        }
    };
    private volatile Containers containers;

    /** @param config the component's configuration: {@code flagsMask}, an int (0, every open, when absent) */
    @Activate
    public ${trackerClass}Tracker(Map<String, Object> config) {
        this(flagsMask(config.get("flagsMask")));
    }

    ${trackerClass}Tracker(int flagsMask) {
        this.flagsMask = flagsMask;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "every openat() of a watched container: path and flags; ${trackerName}:recent";
    }

    /** Its events, declared once: the shell's columns, the JSON keys and tracker:info come from here. */
    @Override
    public List<EventType> events() {
        return List.of(new EventType(${trackerClass}Event.TYPE, ${trackerClass}Event.class, "a file opened by a watched process"));
    }

    /**
     * Subscribes to its own events first, then loads: the decoder is checked against the
     * object's BTF and the kernel-side filter set before the programs are attached.
     */
    @Override
    public void start(TrackerContext context) {
        synchronized (recent) {
            recent.clear();
        }
        context.subscribe("recent", EventSubscriber.of(new EventFilter(NAME, null, null), 4096,
                e -> remember((${trackerClass}Event) e)));
        ${trackerClass}Decoder decoder = new ${trackerClass}Decoder();
        context.load(OBJECT, obj -> {
            decoder.verify(obj.btf());
            obj.globals().set(${trackerClass}Decoder.FLAGS_MASK, flagsMask);
        }, decoder);
        containers = context.containers();
    }

    @Override
    public void stop() {
        containers = null;
    }

    /** The containers core knows while the tracker runs; empty when it is stopped. */
    Optional<Containers> containers() {
        return Optional.ofNullable(containers);
    }

    void remember(${trackerClass}Event event) {
        synchronized (recent) {
            Deque<${trackerClass}Event> events = recent.computeIfAbsent(event.container().id(), id -> new ArrayDeque<>());
            if (events.size() == KEPT) {
                events.removeFirst();
            }
            events.addLast(event);
        }
    }

    /** The last {@code count} events of the containers {@code containers} accepts, oldest first. */
    List<${trackerClass}Event> recent(int count, Predicate<ContainerRef> containers) {
        List<${trackerClass}Event> out = new ArrayList<>();
        synchronized (recent) {
            for (Deque<${trackerClass}Event> events : recent.values()) {
                if (containers.test(events.getFirst().container())) {
                    out.addAll(events);
                }
            }
        }
        out.sort(Comparator.comparingLong(e -> e.header().tsNanos()));
        return out.subList(Math.max(0, out.size() - count), out.size());
    }

    private static int flagsMask(Object value) {
        if (value == null) {
            return 0;
        }
        try {
            return Integer.decode(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("flagsMask must be an integer such as 64 or 0100, not '" + value + "'");
        }
    }
}
