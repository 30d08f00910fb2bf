package dev.apiary.core.container;

import dev.apiary.bpf.RingBuffer;
import dev.apiary.sdk.ContainerRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's table from cgroup v2 id to {@link ContainerSlot}. Every cgroup the
 * {@link CgroupLearner} finds, in the ring of {@code cgroups.bpf.o} or by walking the tree, is
 * entered under the slot of the container its path names ({@link CgroupPaths}), or under
 * {@link ContainerSlot#HOST}. A removed cgroup stays resolvable for {@code forgetAfter} (its
 * events may still be queued); {@link #maintain} then forgets it, and the containers gone as long.
 *
 * <p><b>Threads.</b> {@link #resolve} and {@link #drain} belong to the one dispatcher thread (they
 * read the ring): a known id costs one lock-free probe of an immutable {@link LongTable} and a
 * volatile read, without allocating. {@link #ofCgroup}, {@link #learnOfPid} and {@link #maintain}
 * are safe from any thread. Writers copy the table under a lock and publish the copy through a
 * volatile field. The {@code changed} callback runs on the thread that learned a removal.
 *
 * <p><b>Lifetime.</b> Owns the ring reader it is given and closes it in {@link #close()}.
 */
final class CgroupTable implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupTable.class);
    private static final long MAINTAIN_EVERY_NANOS = Duration.ofSeconds(5).toNanos();

    private final ContainerSlots slots;
    private final CgroupLearner learner;
    private final RingBuffer ring;                     // null when the caller feeds the learner itself
    private final RingBuffer.RecordHandler ringHandler;
    private final Consumer<ContainerSlot> changed;
    private final LongSupplier nanoClock;
    private final long forgetAfterNanos;
    private final ConcurrentHashMap<Long, Long> removedHostCgroups = new ConcurrentHashMap<>(); // id -> when
    private final Object tableLock = new Object();
    private volatile LongTable<ContainerSlot> table = LongTable.empty();
    private final AtomicLong lastMaintenance;

    /**
     * @param cgroupRoot     the cgroup v2 mount point
     * @param rescanInterval the least time between two walks of the tree on unknown ids
     * @param forgetAfter    how long a removed cgroup, or a container gone, stays resolvable
     * @param ring           the ring of cgroups.bpf.o, owned from now on; null without BPF
     * @param slots          where the containers the paths name are kept
     * @param changed        told when a container's own cgroup is removed (it stopped running)
     * @param nanoClock      {@link System#nanoTime()} but in tests
     */
    CgroupTable(Path cgroupRoot, Duration rescanInterval, Duration forgetAfter, RingBuffer ring, ContainerSlots slots,
            Consumer<ContainerSlot> changed, LongSupplier nanoClock) {
        this.slots = slots;
        this.learner = new CgroupLearner(cgroupRoot, rescanInterval, new Learned());
        this.ring = ring;
        this.ringHandler = learner::onRecord;
        this.changed = changed;
        this.nanoClock = nanoClock;
        this.forgetAfterNanos = forgetAfter.toNanos();
        this.lastMaintenance = new AtomicLong(nanoClock.getAsLong());
    }

    CgroupLearner learner() {
        return learner;
    }

    /** The ring read here; null without BPF. */
    RingBuffer ring() {
        return ring;
    }

    /** Walks the whole cgroup tree; how many cgroups were new. */
    int scan() {
        return learner.scan();
    }

    /**
     * The container of a cgroup id; a miss drains the ring, then (rate-limited) walks the tree,
     * and what is still unknown is the host. Dispatcher thread only.
     */
    ContainerRef resolve(long cgroupId) {
        ContainerSlot slot = table.get(cgroupId);
        if (slot != null) {
            return slot.ref;
        }
        return resolveMiss(cgroupId, true);
    }

    /** As {@link #resolve}, but a miss never reads the ring: safe from any thread. */
    ContainerRef ofCgroup(long cgroupId) {
        ContainerSlot slot = table.get(cgroupId);
        return slot != null ? slot.ref : resolveMiss(cgroupId, false);
    }

    /** Consumes every waiting record of the ring. Dispatcher thread only. */
    int drain() {
        return ring == null ? 0 : ring.consume(ringHandler);
    }

    /**
     * Learns the cgroup of a container's process, for a container started before the learner
     * could see its cgroup made (Apiary started later, or a ring miss). Quietly nothing when the
     * process or its cgroup is gone.
     */
    void learnOfPid(String containerId, int pid) {
        String path = cgroupPathOf(pid);
        if (path == null) {
            return;
        }
        try {
            long id = ((Number) Files.getAttribute(learner.root().resolve(path.substring(1)), "unix:ino")).longValue();
            learner.learn(new CgroupRecord(false, id, (int) path.chars().filter(ch -> ch == '/').count(), path, false));
        } catch (IOException | RuntimeException e) {
            LOG.debug("cgroup of container {} (pid {}) not found: {}", containerId, pid, e.toString());
        }
    }

    /** The cgroup v2 path of a host pid (the {@code 0::} line of /proc/PID/cgroup), or null. */
    static String cgroupPathOf(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup"))) {
                if (line.startsWith("0::")) {
                    return line.substring(3);
                }
            }
        } catch (IOException e) {
            // gone
        }
        return null;
    }

    /**
     * Forgets the containers and host cgroups gone for longer than forgetAfter: from the slots,
     * the table and the learner. Runs at most every 5 s; callers call it after each change.
     */
    void maintain() {
        long now = nanoClock.getAsLong();
        long last = lastMaintenance.get();
        if (now - last < MAINTAIN_EVERY_NANOS || !lastMaintenance.compareAndSet(last, now)) {
            return;
        }
        Set<ContainerSlot> forget = slots.removeGone(now, forgetAfterNanos);
        Set<Long> hostIds = new HashSet<>();
        removedHostCgroups.entrySet().removeIf(e -> {
            boolean old = now - e.getValue() > forgetAfterNanos;
            if (old) {
                hostIds.add(e.getKey());
            }
            return old;
        });
        if (forget.isEmpty() && hostIds.isEmpty()) {
            return;
        }
        synchronized (tableLock) {
            LongTable<ContainerSlot> t = table;
            table = t.without(id -> hostIds.contains(id) || forget.contains(t.get(id)));
        }
        hostIds.forEach(learner::forget);
        forget.forEach(s -> learner.forget(s.cgroupId));
        LOG.debug("forgot {} containers and {} host cgroups", forget.size(), hostIds.size());
    }

    /** Closes the ring reader, when there is one. */
    @Override
    public void close() {
        if (ring != null) {
            ring.close();
        }
    }

    private ContainerRef resolveMiss(long cgroupId, boolean mayDrain) {
        if (mayDrain && ring != null) {
            drain();
            ContainerSlot slot = table.get(cgroupId);
            if (slot != null) {
                return slot.ref;
            }
        }
        if (learner.rescanIfDue()) {
            ContainerSlot slot = table.get(cgroupId);
            if (slot != null) {
                return slot.ref;
            }
        }
        return ContainerRef.HOST;
    }

    private void putInTable(long cgroupId, ContainerSlot slot) {
        synchronized (tableLock) {
            if (table.get(cgroupId) != slot) {
                table = table.with(cgroupId, slot);
            }
        }
    }

    /** What the learner finds in the kernel and the tree. */
    private final class Learned implements CgroupLearner.Listener {
        @Override
        public void learned(long cgroupId, String path) {
            Optional<ContainerCgroup> match = CgroupPaths.parse(path);
            if (match.isEmpty()) {
                putInTable(cgroupId, ContainerSlot.HOST);
                return;
            }
            ContainerCgroup c = match.get();
            ContainerSlot slot = slots.slotFor(c.id(), c.runtime());
            if (path.equals(c.cgroupPath())) {
                synchronized (slot) {
                    slot.cgroupId = cgroupId;
                    slot.cgroupPath = path;
                    slot.cgroupRemoved = false;
                }
            }
            putInTable(cgroupId, slot);
            maintain();
        }

        @Override
        public void removed(long cgroupId, String path) {
            ContainerSlot slot = table.get(cgroupId);
            if (slot == null || slot == ContainerSlot.HOST) {
                removedHostCgroups.put(cgroupId, nanoClock.getAsLong());
            } else if (slot.cgroupId == cgroupId) {
                synchronized (slot) {
                    slot.cgroupRemoved = true;
                    if (slot.docker == null && slot.goneSinceNanos == 0) {
                        slot.goneSinceNanos = nanoClock.getAsLong(); // Docker's destroy decides for its containers
                    }
                }
                changed.accept(slot);
            }
            maintain();
        }
    }
}
