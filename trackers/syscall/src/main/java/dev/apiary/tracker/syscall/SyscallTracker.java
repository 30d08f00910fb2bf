package dev.apiary.tracker.syscall;

import dev.apiary.bpf.BootClock;
import dev.apiary.bpf.BpfLink;
import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.ContainerTallies;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.SyscallNames;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.TrackerName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The syscall tracker: loads syscall.bpf.o, reads its per-cgroup counters every
 * {@link Config#refresh_ms()} into a {@link SyscallTable}, and runs at most one
 * {@link SyscallTrace} at a time. Registered as a {@link Tracker} for core and under its own
 * class for {@link SyscallCommands}; configured by {@link Config} (PID {@link #PID}).
 */
@Component(service = {Tracker.class, SyscallTracker.class, ContainerTallies.class}, configurationPid = SyscallTracker.PID)
@Designate(ocd = SyscallTracker.Config.class)
public final class SyscallTracker implements Tracker, ContainerTallies {

    /** Its name, as its pom's {@code <apiary.tracker>} declares it (the bundle's Apiary-Tracker header). */
    public static final String NAME = TrackerName.of(SyscallTracker.class);
    /** Its configuration PID, also conf/&lt;PID&gt;.cfg: the bundle's symbolic name. */
    public static final String PID = "dev.apiary.tracker.syscall";
    static final String OBJECT = "bpf/syscall.bpf.o";

    /**
     * The tracker's settings ({@code tracker:config syscall}); DS re-creates the component when
     * they change. The keys are dotted ({@code ring.kb}): DS and bnd's metatype turn a
     * method name's underscore into a dot.
     */
    @ObjectClassDefinition(id = SyscallTracker.PID, name = "syscall tracker",
            description = "System calls counted per container in the kernel; a rate-limited trace of one container")
    public @interface Config {
        // Ring for the trace: 1000 events/s per CPU of 160 bytes need far less; room for bursts.
        @AttributeDefinition(description = RingSize.DESCRIPTION + "; only syscall:trace uses it",
                min = RingSize.MIN_KIB, max = RingSize.MAX_KIB)
        int ring_kb() default 1024;

        @AttributeDefinition(description = "How often the kernel's counters are read, ms: how fresh syscall:top "
                + "and syscall:counts are, and syscall:top's default --interval", min = "100", max = "60000")
        int refresh_ms() default 1000;

        @AttributeDefinition(description = "Seconds a container may make no syscall before its kernel counter "
                + "slot is given back (its counts are kept; a later syscall takes a new slot)", min = "1", max = "86400")
        int reclaim_after_s() default 60;

        @AttributeDefinition(description = "Kernel counter slots: containers (cgroups) counted at once; each "
                + "costs 4 KiB per CPU. A change starts the counts afresh", min = "16", max = "16384")
        int slots() default 1024;

        @AttributeDefinition(description = "Seconds an idle container stays in syscall:top", min = "1", max = "3600")
        int top_idle_s() default 10;

        @AttributeDefinition(description = "syscall:trace's rate limit, events per second per CPU, when its "
                + "--rate is not given; the rest are counted as dropped", min = "1", max = "1000000")
        int trace_rate() default 1000;

        @AttributeDefinition(description = "Events a CPU may send at once after a quiet time in syscall:trace, "
                + "when its --burst is not given", min = "1", max = "1000000")
        int trace_burst() default 100;
    }

    /** What exists while the tracker runs. Thread-safe. */
    public record Running(SyscallTable table, SyscallNames names, Containers containers, Tracing trace,
            KernelMisses misses, Config config) {}

    /** The per-event stream of one cgroup ({@link SyscallTrace}); one at a time. */
    public interface Tracing {
        /**
         * Starts tracing a cgroup: its syscalls go to {@code subscriber} until the result is closed.
         *
         * @param rate  events per second per CPU, at least 1
         * @param burst events a CPU may send at once after a quiet time, at least 1
         * @param who   what an error names when another trace runs
         * @throws IllegalStateException when another trace runs
         */
        AutoCloseable start(long cgroupId, long rate, long burst, String who, EventSubscriber subscriber);
    }

    /** The kernel's counts of what it did not count or trace. */
    public interface KernelMisses {
        /** Syscalls of watched cgroups not counted because every slot was taken. */
        long slotsFull();

        /** Syscalls of the traced container not sent because of the rate limit. */
        long rateLimited();
    }

    private final Config config;
    private volatile Running running;
    private volatile SyscallTrace trace;
    private volatile Thread poller;

    @Activate
    public SyscallTracker(Config config) {
        this.config = config;
    }

    /** How often the counters are read. */
    Duration refresh() {
        return Duration.ofMillis(config.refresh_ms());
    }

    @Override
    public String description() {
        return "syscalls counted per container in the kernel (syscall:top, syscall:counts); syscall:trace of one container";
    }

    @Override
    public List<EventType> events() {
        return List.of(new EventType(SyscallEvent.TYPE, SyscallEvent.class,
                "one system call of a traced process, while syscall:trace is on (counts are aggregated in the kernel)"));
    }

    /**
     * Loads the object with nothing attached, gives every counter slot to the kernel's free
     * queue, then attaches the counting program (so the first cgroups find slots); the exit
     * program is attached only while a trace runs.
     */
    @Override
    public void start(TrackerContext context) throws Exception {
        SyscallNames names = SyscallNames.load(KernelCounts.NR_MAX);
        SyscallDecoder decoder = new SyscallDecoder(names);
        BpfObject obj = context.load(OBJECT, this::configure, decoder);
        BpfMap misses = obj.map("syscall_misses");
        KernelCounts counts = new KernelCounts(obj.map("cgroup_slots"), obj.map("syscall_counts"), obj.map("free_slots"),
                misses, obj.map("apiary_watched"), Duration.ofSeconds(config.reclaim_after_s()).toNanos());
        counts.fillFreeSlots(obj.keptFromEarlierLoad("syscall_counts"));
        BpfLink enter = obj.program("syscall_enter").attach();
        SyscallTable table = new SyscallTable(KernelCounts.NR_MAX);
        Containers containers = context.containers();
        SyscallTrace trace = new SyscallTrace(obj, context);
        KernelMisses kernelMisses = new KernelMisses() {
            @Override
            public long slotsFull() {
                return counts.misses(KernelCounts.MISS_SLOTS_FULL);
            }

            @Override
            public long rateLimited() {
                return counts.misses(KernelCounts.MISS_TRACE_RATE);
            }
        };
        // Counts kept from a previous version (pinned maps) show at once, not after the first interval.
        long started = BootClock.nowNanos();
        table.add(counts.poll(started), started, containers::ofCgroup);
        Duration every = refresh();
        Thread t = Thread.ofPlatform().daemon().name("apiary-syscall-counts").start(() -> {
            while (!Thread.currentThread().isInterrupted() && enter.isOpen()) {
                try {
                    Thread.sleep(every);
                    long now = BootClock.nowNanos();
                    table.add(counts.poll(now), now, containers::ofCgroup);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // A map read failing once (the object closing under us) must not end the
                    // counting for good; the loop ends when the link closes.
                    if (!enter.isOpen()) {
                        return;
                    }
                }
            }
        });
        poller = t;
        this.trace = trace;
        running = new Running(table, names, containers, trace, kernelMisses, config);
    }

    /** Between open and load: sizes the ring and the counter slots; neither program attaches by itself. */
    void configure(BpfObject o) {
        o.map("apiary_events").setMaxEntries(RingSize.bytes(config.ring_kb()));
        o.map("syscall_counts").setMaxEntries(config.slots());
        o.map("free_slots").setMaxEntries(config.slots());
        o.program("syscall_enter").setAutoattach(false);
        o.program("syscall_exit").setAutoattach(false);
    }

    @Override
    public void stop() {
        running = null;
        SyscallTrace tr = trace;
        trace = null;
        if (tr != null) {
            tr.stop();
        }
        Thread t = poller;
        poller = null;
        if (t != null) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String tracker() {
        return NAME;
    }

    @Override
    public String counted() {
        return "syscalls";
    }

    /** From the table, as fresh as the last read of the kernel's counters ({@link Config#refresh_ms()}). */
    @Override
    public Map<String, Long> of(ContainerRef container) {
        Running r = running;
        if (r == null) {
            return Map.of();
        }
        return r.table().of(container.id()).map(c -> byName(c.total(), r.names())).orElse(Map.of());
    }

    /** Non-zero counts by name, largest first (then by name). */
    static Map<String, Long> byName(long[] total, SyscallNames names) {
        List<Map.Entry<String, Long>> counts = new java.util.ArrayList<>();
        for (int nr = 0; nr < total.length; nr++) {
            if (total[nr] > 0) {
                counts.add(Map.entry(names.name(nr), total[nr]));
            }
        }
        counts.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        counts.forEach(e -> out.merge(e.getKey(), e.getValue(), Long::sum));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The table, names and trace while the tracker runs; empty when it is stopped. */
    public Optional<Running> running() {
        return Optional.ofNullable(running);
    }
}
