package ${package};

import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.TrackerName;
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
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The ${trackerName} tracker: loads {@code bpf/${trackerName}.bpf.o} from this bundle, decodes its
 * records into {@link ${trackerClass}Event}s, and keeps the last {@value #KEPT} of each container
 * (the host counts as one) for {@code ${trackerName}:recent}, so that a busy container does not push
 * out a quiet one's.
 *
 * <p>A Declarative Services component registered as a {@link Tracker}, which core starts when
 * it appears and stops when this bundle stops (freeing every program, map and subscription
 * opened through the context), and under its own class for {@link ${trackerClass}Commands}.
 * Its settings ({@link Config}: {@code tracker:config ${trackerName}}, or a file
 * {@code conf/${package}.cfg} with {@code flags.mask=64}) size the ring and set which opens the
 * kernel side sends; a change re-creates the component, and core restarts the tracker with it.
 */
@Component(service = {Tracker.class, ${trackerClass}Tracker.class}, configurationPid = ${trackerClass}Tracker.PID)
@Designate(ocd = ${trackerClass}Tracker.Config.class)
public final class ${trackerClass}Tracker implements Tracker {

    /** Its name, as its pom's {@code <apiary.tracker>} declares it (the bundle's Apiary-Tracker header). */
    public static final String NAME = TrackerName.of(${trackerClass}Tracker.class);

    /** Its configuration PID, also conf/&lt;PID&gt;.cfg: the bundle's symbolic name. */
    public static final String PID = "${package}";

    static final String OBJECT = "bpf/${trackerName}.bpf.o";

    /**
     * Its settings, with a type, a default and an allowed range each: bnd writes them as the
     * bundle's metatype ({@code OSGI-INF/metatype/${package}.xml}), which {@code tracker:config}
     * shows and checks a new value against. A setting's key is its method's name with each
     * underscore a dot ({@code ring_kb()} is {@code ring.kb}), as Declarative Services maps it.
     */
    @ObjectClassDefinition(id = ${trackerClass}Tracker.PID, name = "${trackerName} tracker",
            description = "Every openat() of a watched container: path and flags")
    public @interface Config {

        // A record is 336 bytes: 256 KiB hold some 780 opens while the reader is away.
        @AttributeDefinition(description = RingSize.DESCRIPTION,
                min = RingSize.MIN_KIB, max = RingSize.MAX_KIB)
        int ring_kb() default 256;

        @AttributeDefinition(description = "Only opens whose flags hold all of these bits are sent, a decimal "
                + "number (64 = O_CREAT: creates only); 0 sends every open", min = "0", max = "2147483647")
        int flags_mask() default 0;
    }

    /** Events kept per container for ${trackerName}:recent; the oldest go first. */
    static final int KEPT = 1000;

    /** Containers whose events are kept; the one whose last event is the oldest goes first. */
    static final int CONTAINERS = 64;

    private final Config config;
    /** The last events by container id, each oldest first; guarded by itself. */
    private final LinkedHashMap<String, Deque<${trackerClass}Event>> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<${trackerClass}Event>> eldest) {
            return size() > CONTAINERS;
        }
    };
    private volatile Containers containers;

    /** @param config its settings; in a test, {@code dev.apiary.sdk.testing.TestConfig.of(Config.class, Map.of(...))} */
    @Activate
    public ${trackerClass}Tracker(Config config) {
        this.config = config;
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
        context.load(OBJECT, this::configure, new ${trackerClass}Decoder());
        containers = context.containers();
    }

    /** Applies the settings to the object before it is loaded: the ring's size and the kernel-side filter. */
    void configure(BpfObject obj) {
        obj.map("apiary_events").setMaxEntries(RingSize.bytes(config.ring_kb()));
        obj.globals().set(${trackerClass}Decoder.FLAGS_MASK, config.flags_mask());
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

    /** The containers whose events are kept (one that has exited since among them), for a command's container word. */
    List<ContainerRef> seen() {
        synchronized (recent) {
            List<ContainerRef> seen = new ArrayList<>();
            for (Deque<${trackerClass}Event> events : recent.values()) {
                seen.add(events.getFirst().container());
            }
            return seen;
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
}
