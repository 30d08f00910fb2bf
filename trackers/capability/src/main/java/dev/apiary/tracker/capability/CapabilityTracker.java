package dev.apiary.tracker.capability;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.ContainerTallies;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.RuntimeProcesses;
import dev.apiary.sdk.SyscallNames;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.TrackerName;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The capability tracker: loads {@code bpf/capability.bpf.o}, whose program counts every
 * capability check of a watched task in the kernel ({@code cap_checks}) and sends the first of
 * each (container, capability, result, process name); keeps those first checks and reads the
 * counts on demand ({@link #uses()}) for {@code cap:used} and, as {@link ContainerTallies}, for
 * reports. Configured by {@link Config} (PID {@link #PID}).
 *
 * <p>Needs the {@code capability:cap_capable} tracepoint (Linux 6.14 and later, kernel commit d48da4d5ed7b); on an older
 * kernel it fails to start with that said, and every other tracker runs.
 */
@Component(service = {Tracker.class, CapabilityTracker.class, ContainerTallies.class}, configurationPid = CapabilityTracker.PID)
@Designate(ocd = CapabilityTracker.Config.class)
public final class CapabilityTracker implements Tracker, ContainerTallies {

    public static final String NAME = TrackerName.of(CapabilityTracker.class);
    public static final String PID = "dev.apiary.tracker.capability";
    static final String OBJECT = "bpf/capability.bpf.o";
    /** What the kernel needs: the tracepoint this tracker attaches to. */
    static final String TRACEPOINT = "/sys/kernel/tracing/events/capability/cap_capable";

    @ObjectClassDefinition(id = CapabilityTracker.PID, name = "capability tracker",
            description = "Capability checks per container, counted in the kernel; the first of each sent as an event")
    public @interface Config {
        // One record per new (container, capability, result, process name): a few hundred a container.
        @AttributeDefinition(description = RingSize.DESCRIPTION, min = RingSize.MIN_KIB, max = RingSize.MAX_KIB)
        int ring_kb() default 256;

        @AttributeDefinition(description = "Whether granted checks are counted and sent too; false: only refusals")
        boolean granted() default true;

        @AttributeDefinition(description = "Keys the kernel counts at once (container, capability, result, process"
                + " name); past it the least recently checked is forgotten and counted afresh", min = "256", max = "1048576")
        int checks_max() default 16384;
    }

    /** The first checks kept, by key; past it the oldest goes (its counts stay in the kernel). */
    static final int FIRSTS = 16384;

    private final Config config;
    private final Map<Key, CapabilityEvent> firsts = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CapabilityEvent> eldest) {
            return size() > FIRSTS;
        }
    };
    private volatile BpfMap checks;
    private volatile Containers containers;

    /** A kernel counter's key. */
    record Key(long cgroupId, int cap, boolean denied, String comm) {}

    @Activate
    public CapabilityTracker(Config config) {
        this.config = config;
    }

    @Override
    public String description() {
        return "capability checks per container, counted in the kernel (cap:used); the first of each as an event (cap:events)";
    }

    @Override
    public List<EventType> events() {
        return List.of(new EventType(CapabilityEvent.TYPE, CapabilityEvent.class,
                "the first check of a capability with one result by one process name in a container"));
    }

    @Override
    public void start(TrackerContext context) {
        if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of(TRACEPOINT))) {
            throw new IllegalStateException("the capability tracker needs the capability:cap_capable tracepoint"
                    + " (Linux 6.14 or later); this kernel is " + System.getProperty("os.version")
                    + ": every other tracker runs");
        }
        synchronized (firsts) {
            firsts.clear();
        }
        context.subscribe("firsts", EventSubscriber.of(new EventFilter(NAME, null, null), 4096,
                e -> remember((CapabilityEvent) e)));
        BpfObject obj = context.load(OBJECT, this::configure, new CapabilityDecoder(SyscallNames.load(512)));
        checks = obj.map("cap_checks");
        containers = context.containers();
    }

    void configure(BpfObject obj) {
        obj.map("apiary_events").setMaxEntries(RingSize.bytes(config.ring_kb()));
        obj.map("cap_checks").setMaxEntries(config.checks_max());
        obj.globals().set(CapabilityDecoder.REPORT_GRANTED, config.granted() ? 1 : 0);
    }

    @Override
    public void stop() {
        checks = null;
        containers = null;
    }

    void remember(CapabilityEvent e) {
        EventHeader h = e.header();
        synchronized (firsts) {
            firsts.putIfAbsent(new Key(h.cgroupId(), e.cap(), !e.granted(), h.comm()), e);
        }
    }

    /** Whether it runs. */
    boolean running() {
        return checks != null;
    }

    /**
     * Every key the kernel counts now, with its count and first check: by container, then
     * capability, granted before refused.
     *
     * @throws IllegalStateException when the tracker is not running
     */
    List<CapabilityUse> uses() {
        BpfMap map = checks;
        Containers known = containers;
        if (map == null || known == null) {
            throw new IllegalStateException("the capability tracker is not running (tracker:start capability)");
        }
        List<CapabilityUse> out = new ArrayList<>();
        for (BpfMap.Entry entry : map.entries()) {
            Key k = key(entry.key());
            long count = ByteBuffer.wrap(entry.value()).order(ByteOrder.nativeOrder()).getLong();
            CapabilityEvent first;
            synchronized (firsts) {
                first = firsts.get(k);
            }
            ContainerRef ref = first != null && !first.container().name().isEmpty() ? first.container() : known.ofCgroup(k.cgroupId());
            out.add(new CapabilityUse(ref, CapabilityNames.name(k.cap()), k.cap(), !k.denied(), k.comm(), count, first,
                    RuntimeProcesses.isSetup(k.comm())));
        }
        out.sort(Comparator.comparing((CapabilityUse u) -> u.container().displayName()).thenComparingInt(CapabilityUse::cap)
                .thenComparing(u -> !u.granted()).thenComparing(CapabilityUse::comm));
        return out;
    }

    /** struct cap_key from the map's bytes. */
    static Key key(byte[] raw) {
        MemorySegment s = MemorySegment.ofArray(raw);
        long cgroup = s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        int cap = s.get(ValueLayout.JAVA_INT_UNALIGNED, 8);
        int denied = s.get(ValueLayout.JAVA_INT_UNALIGNED, 12);
        int end = 16;
        while (end < Math.min(raw.length, 32) && raw[end] != 0) {
            end++;
        }
        return new Key(cgroup, cap, denied != 0, new String(raw, 16, end - 16, StandardCharsets.UTF_8));
    }

    @Override
    public String tracker() {
        return NAME;
    }

    @Override
    public String counted() {
        return "capability checks";
    }

    /**
     * The container's checks, by "CAP_CHOWN granted" or "CAP_NET_RAW denied", with " runtime"
     * appended for the runtime's own setup's; largest first. Empty when it is not running.
     */
    @Override
    public Map<String, Long> of(ContainerRef container) {
        if (!running()) {
            return Map.of();
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (CapabilityUse u : uses()) {
            if (u.container().id().equals(container.id())) {
                out.merge(u.capability() + (u.granted() ? " granted" : " denied") + (u.runtimeSetup() ? " runtime" : ""),
                        u.checks(), Long::sum);
            }
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(out.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        Map<String, Long> ordered = new LinkedHashMap<>();
        sorted.forEach(e -> ordered.put(e.getKey(), e.getValue()));
        return Collections.unmodifiableMap(ordered);
    }

    /** The containers core knows while it runs. */
    Optional<Containers> containers() {
        return Optional.ofNullable(containers);
    }
}
