package dev.apiary.tracker.syscall;

import dev.apiary.bpf.BootClock;
import dev.apiary.bpf.BpfLink;
import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * The syscall tracker: loads syscall.bpf.o, reads its per-cgroup counters every
 * {@link #INTERVAL} into a {@link SyscallTable}, and runs at most one {@link SyscallTrace} at a
 * time. Registered as a {@link Tracker} for core and under its own class for
 * {@link SyscallCommands}.
 */
@Component(service = {Tracker.class, SyscallTracker.class})
public final class SyscallTracker implements Tracker {

    public static final String NAME = "syscall";
    static final String OBJECT = "bpf/syscall.bpf.o";

    /** How often the kernel's counters are read. */
    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** A cgroup with no syscall for this long gives its kernel slot back (its counts stay here). */
    static final Duration RECLAIM_AFTER = Duration.ofSeconds(60);
    /** Ring for the trace: 256 events/s per CPU of 160 bytes need far less; room for bursts. */
    static final int RING_BYTES = 1 << 20;

    /** What exists while the tracker runs. Thread-safe. */
    public record Running(SyscallTable table, SyscallNames names, Containers containers, SyscallTrace trace,
            KernelMisses misses) {}

    /** The kernel's counts of what it did not count or trace. */
    public interface KernelMisses {
        /** Syscalls of watched cgroups not counted because every slot was taken. */
        long slotsFull();

        /** Syscalls of the traced container not sent because of the rate limit. */
        long rateLimited();
    }

    private volatile Running running;
    private volatile Thread poller;

    @Override
    public String name() {
        return NAME;
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
        BpfObject obj = context.load(OBJECT, o -> {
            decoder.verify(o.btf());
            o.map("apiary_events").setMaxEntries(RING_BYTES);
            o.program("syscall_enter").setAutoattach(false);
            o.program("syscall_exit").setAutoattach(false);
        }, decoder);
        BpfMap misses = obj.map("syscall_misses");
        KernelCounts counts = new KernelCounts(obj.map("cgroup_slots"), obj.map("syscall_counts"), obj.map("free_slots"),
                misses, obj.map("apiary_watched"), RECLAIM_AFTER.toNanos());
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
        Thread t = Thread.ofPlatform().daemon().name("apiary-syscall-counts").start(() -> {
            while (!Thread.currentThread().isInterrupted() && enter.isOpen()) {
                try {
                    Thread.sleep(INTERVAL);
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
        running = new Running(table, names, containers, trace, kernelMisses);
    }

    @Override
    public void stop() {
        Running r = running;
        running = null;
        if (r != null) {
            r.trace().stop();
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

    /** The table, names and trace while the tracker runs; empty when it is stopped. */
    public Optional<Running> running() {
        return Optional.ofNullable(running);
    }
}
