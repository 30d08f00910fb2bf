package dev.apiary.core.container;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which container a cgroup id, a pid or a user's word means: cgroup paths learned from the
 * kernel ({@link CgroupLearner}), named by the runtimes' path patterns ({@link CgroupPaths}) and
 * by the Docker daemon ({@link DockerWatcher}); keeps the {@code apiary_watched} map in step with
 * the {@link WatchScope}.
 *
 * <p><b>Threads.</b> {@link #resolve}, {@link #drainLearner} and {@link #learnCgroup} belong to
 * the one dispatcher thread: a known cgroup id costs one lock-free table probe and a volatile
 * read, without allocating. The {@link Containers} methods, {@link #awaitingMetadata} and
 * {@link #setScope} are safe from any thread. Docker updates arrive on the watcher's threads.
 *
 * <p><b>Lifetimes.</b> {@link #start()} walks the cgroup tree, enters the watch scope and starts
 * the Docker watcher; {@link #close()} stops the watcher and closes the ring reader this
 * directory opened on the cgroups object. The object itself (and so the {@code apiary_watched}
 * map) belongs to the caller, who closes it after the directory.
 */
public final class ContainerDirectory implements Containers, AutoCloseable {

    /**
     * How to run a directory.
     *
     * @param cgroupRoot     the cgroup v2 mount point ({@link CgroupRoot#detect()})
     * @param dockerEndpoint the Docker daemon's socket, or null to name containers from their paths only
     * @param scope          the initial watch scope
     * @param rescanInterval the least time between two walks of the cgroup tree on unknown ids
     * @param forgetAfter    how long a removed container stays resolvable (its events may still be queued)
     */
    public record Settings(Path cgroupRoot, URI dockerEndpoint, WatchScope scope, Duration rescanInterval,
            Duration forgetAfter) {

        public Settings {
            Objects.requireNonNull(cgroupRoot, "cgroupRoot");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(rescanInterval, "rescanInterval");
            Objects.requireNonNull(forgetAfter, "forgetAfter");
        }

        /** The detected cgroup v2 root, DOCKER_HOST or the default socket, scope {@code containers}, 1 s, 2 min. */
        public static Settings defaults() {
            return new Settings(CgroupRoot.detect(), DockerWatcher.defaultEndpoint(), WatchScope.CONTAINERS,
                    Duration.ofSeconds(1), Duration.ofMinutes(2));
        }

        public Settings withDocker(URI endpoint) {
            return new Settings(cgroupRoot, endpoint, scope, rescanInterval, forgetAfter);
        }

        public Settings withScope(WatchScope newScope) {
            return new Settings(cgroupRoot, dockerEndpoint, newScope, rescanInterval, forgetAfter);
        }

        public Settings withForgetAfter(Duration after) {
            return new Settings(cgroupRoot, dockerEndpoint, scope, rescanInterval, after);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ContainerDirectory.class);
    private static final long MAINTAIN_EVERY_NANOS = Duration.ofSeconds(5).toNanos();

    private final Settings settings;
    private final CgroupLearner learner;
    private final RingBuffer ring;                     // null when the caller feeds learnCgroup itself
    private final RingBuffer.RecordHandler ringHandler;
    private final WatchedNamespaces watched;           // null without a cgroups object
    private final DockerWatcher docker;                // null without a Docker endpoint
    private final ConcurrentHashMap<String, ContainerSlot> slots = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Long> removedHostCgroups = new ConcurrentHashMap<>(); // id -> when
    private final Object tableLock = new Object();
    private volatile LongTable<ContainerSlot> table = LongTable.empty();
    private final AtomicLong lastMaintenance = new AtomicLong(System.nanoTime());
    private volatile boolean closed;
    private final java.util.concurrent.CountDownLatch firstList = new java.util.concurrent.CountDownLatch(1);

    /**
     * @param cgroupsObject core's {@code cgroups.bpf.o}, loaded and attached (the directory reads its
     *                      ring and fills its {@code apiary_watched} map; do not open another reader on
     *                      that ring); null to run without BPF (feed {@link #learnCgroup} yourself, no
     *                      watched map)
     */
    public ContainerDirectory(Settings settings, BpfObject cgroupsObject) {
        this.settings = settings;
        this.learner = new CgroupLearner(settings.cgroupRoot(), settings.rescanInterval(), new Learned());
        if (cgroupsObject != null) {
            CgroupLearner.checkLayout(cgroupsObject);
            this.ring = cgroupsObject.ringBuffer();
            this.watched = new WatchedNamespaces(cgroupsObject.map("apiary_watched"), ProcessNamespaces.hostMountNamespace());
        } else {
            this.ring = null;
            this.watched = null;
        }
        this.ringHandler = learner::onRecord;
        this.docker = settings.dockerEndpoint() == null ? null : new DockerWatcher(settings.dockerEndpoint(), new Told());
    }

    /** Walks the cgroup tree, enters the watch scope, starts following Docker. Call once. */
    public void start() {
        int found = learner.scan();
        LOG.info("cgroup v2 at {}: {} cgroups, {} containers by path", settings.cgroupRoot(), found, slots.size());
        if (watched != null) {
            watched.apply(settings.scope(), list());
        }
        if (docker != null) {
            docker.start();
            // Commands run right after start (bin/apiary -c) should see names: wait a moment
            // for the daemon's first list, but never long for a daemon that is away.
            try {
                firstList.await(3, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- the dispatcher's side ------------------------------------------------------------

    /**
     * The container of a cgroup v2 id as a task reports it ({@code bpf_get_current_cgroup_id}):
     * {@link ContainerRef#HOST} for host cgroups and ids nobody can place, an unnamed ref when only
     * the path names it, the full ref once Docker told. A miss drains the learner's ring, then
     * (rate-limited) walks the cgroup tree. Dispatcher thread only.
     */
    public ContainerRef resolve(long cgroupId) {
        ContainerSlot slot = table.get(cgroupId);
        if (slot != null) {
            return slot.ref;
        }
        return resolveMiss(cgroupId, true);
    }

    /**
     * Whether an event of this container should wait a little for its name: a Docker container
     * whose name Docker has not told yet while the daemon is connected (with the daemon away, waiting
     * would not help). The dispatcher then parks the event briefly and resolves again.
     */
    public boolean awaitingMetadata(ContainerRef ref) {
        return CgroupPaths.DOCKER.equals(ref.runtime()) && ref.name().isEmpty() && docker != null
                && docker.isConnected();
    }

    /** Consumes every waiting record of the cgroups object's ring. Dispatcher thread only. */
    public int drainLearner() {
        return ring == null ? 0 : ring.consume(ringHandler);
    }

    /** The ring this directory reads, for the dispatcher's epoll set (its fd); null without a cgroups object. */
    public RingBuffer learnerRing() {
        return ring;
    }

    /** Learns from one record of cgroups.bpf.o, when the caller reads the ring itself. */
    public void learnCgroup(java.lang.foreign.MemorySegment record) {
        learner.onRecord(record);
    }

    public CgroupLearner learner() {
        return learner;
    }

    /** One line on the Docker side for {@code apiary:status}. */
    public String dockerStatus() {
        if (docker == null) {
            return "not followed";
        }
        return (docker.isConnected() ? "connected to " : "not reachable, retrying: ") + docker.endpoint();
    }

    /** Whether the Docker daemon is connected now (false without one). */
    public boolean dockerConnected() {
        return docker != null && docker.isConnected();
    }

    // ---- scope ----------------------------------------------------------------------------

    /** Changes what the trackers record; takes effect in the kernel at once. */
    public void setScope(WatchScope scope) {
        if (watched == null) {
            throw new IllegalStateException("no cgroups object: there is no apiary_watched map to fill");
        }
        watched.apply(scope, list());
    }

    /** The watched-namespaces map keeper; null without a cgroups object. */
    public WatchedNamespaces watched() {
        return watched;
    }

    // ---- Containers -----------------------------------------------------------------------

    @Override
    public List<Container> list() {
        List<Container> all = new ArrayList<>();
        for (ContainerSlot slot : slots.values()) {
            all.add(container(slot));
        }
        all.sort(Comparator.comparing((Container c) -> !c.running()).thenComparing(c -> c.ref().displayName()));
        return all;
    }

    @Override
    public Optional<Container> find(String nameOrId) {
        return list().stream().filter(c -> c.ref().matches(nameOrId)).findFirst(); // running ones come first
    }

    @Override
    public ContainerRef ofPid(int pid) {
        String path = cgroupPathOf(pid);
        if (path == null) {
            return ContainerRef.HOST;
        }
        return CgroupPaths.parse(path).map(c -> {
            ContainerSlot slot = slots.get(c.id());
            return slot != null ? slot.ref : ContainerRef.unnamed(c.id(), c.runtime());
        }).orElse(ContainerRef.HOST);
    }

    @Override
    public void setLimit(String nameOrId, Limit limit, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(limit.name().toLowerCase(java.util.Locale.ROOT) + " limit must be positive, not " + value);
        }
        Container c = find(nameOrId).filter(Container::running)
                .orElseThrow(() -> new IllegalArgumentException("no running container " + nameOrId));
        if (!CgroupPaths.DOCKER.equals(c.ref().runtime())) {
            throw new IllegalArgumentException(c.ref().displayName() + " is a " + c.ref().runtime()
                    + " container; only Docker's can be changed");
        }
        if (docker == null) {
            throw new IllegalStateException("no Docker endpoint is configured");
        }
        docker.update(c.ref().id(), limit, value);
    }

    @Override
    public ContainerRef ofCgroup(long cgroupId) {
        ContainerSlot slot = table.get(cgroupId);
        return slot != null ? slot.ref : resolveMiss(cgroupId, false);
    }

    @Override
    public void close() {
        closed = true;
        if (docker != null) {
            docker.close();
        }
        if (ring != null) {
            ring.close();
        }
    }

    // ---- inside ---------------------------------------------------------------------------

    private ContainerRef resolveMiss(long cgroupId, boolean mayDrain) {
        if (mayDrain && ring != null) {
            drainLearner();
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

    private Container container(ContainerSlot slot) {
        DockerContainer d = slot.docker;
        boolean running = slot.running();
        int pid = d != null ? d.pid() : (running ? pathPid(slot) : 0);
        ProcessNamespaces ns = slot.namespaces;
        if (running && pid > 0 && ns.mnt() == 0) {
            ns = ProcessNamespaces.of(pid);
            slot.namespaces = ns;
        }
        return new Container(slot.ref, running ? pid : 0, slot.cgroupId, slot.cgroupPath, ns.mnt(), ns.pid(), ns.net(),
                running, d == null ? null : d.started());
    }

    /** A process of a container Docker does not know: the first pid its cgroup lists. */
    private int pathPid(ContainerSlot slot) {
        int known = slot.pathPid;
        if (known > 0 && Files.exists(Path.of("/proc", Integer.toString(known)))) {
            return known;
        }
        try (var lines = Files.lines(settings.cgroupRoot().resolve(slot.cgroupPath.substring(1)).resolve("cgroup.procs"))) {
            int pid = lines.findFirst().map(Integer::parseInt).orElse(0);
            slot.pathPid = pid;
            slot.namespaces = ProcessNamespaces.of(pid);
            return pid;
        } catch (IOException | RuntimeException e) {
            return 0;
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

    private void putInTable(long cgroupId, ContainerSlot slot) {
        synchronized (tableLock) {
            if (table.get(cgroupId) != slot) {
                table = table.with(cgroupId, slot);
            }
        }
    }

    private ContainerSlot slotFor(String id, String runtime) {
        return slots.computeIfAbsent(id, k -> ContainerSlot.unnamed(k, runtime));
    }

    /** Forgets containers and host cgroups that are gone for longer than forgetAfter; rate-limited. */
    private void maintain() {
        long now = System.nanoTime();
        long last = lastMaintenance.get();
        if (now - last < MAINTAIN_EVERY_NANOS || !lastMaintenance.compareAndSet(last, now)) {
            return;
        }
        long limit = settings.forgetAfter().toNanos();
        Set<ContainerSlot> forget = new HashSet<>();
        slots.values().removeIf(s -> {
            boolean old = s.goneSinceNanos != 0 && now - s.goneSinceNanos > limit;
            if (old) {
                forget.add(s);
            }
            return old;
        });
        Set<Long> hostIds = new HashSet<>();
        removedHostCgroups.entrySet().removeIf(e -> {
            boolean old = now - e.getValue() > limit;
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
            ContainerSlot slot = slotFor(c.id(), c.runtime());
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
                removedHostCgroups.put(cgroupId, System.nanoTime());
            } else if (slot.cgroupId == cgroupId) {
                synchronized (slot) {
                    slot.cgroupRemoved = true;
                    if (slot.docker == null && slot.goneSinceNanos == 0) {
                        slot.goneSinceNanos = System.nanoTime(); // Docker's destroy decides for its containers
                    }
                }
                if (watched != null) {
                    watched.update(container(slot));
                }
            }
            maintain();
        }
    }

    /** What Docker tells. */
    private final class Told implements DockerWatcher.Listener {
        @Override
        public void seen(DockerContainer news) {
            if (closed) {
                return;
            }
            ContainerSlot slot = slotFor(news.id(), CgroupPaths.DOCKER);
            boolean pidChanged;
            synchronized (slot) {
                DockerContainer old = slot.docker;
                DockerContainer merged = merge(old, news);
                pidChanged = merged.pid() != 0 && (old == null || old.pid() != merged.pid());
                slot.docker = merged;
                if (merged.running()) {
                    slot.goneSinceNanos = 0;
                }
                if (pidChanged) {
                    slot.namespaces = ProcessNamespaces.of(merged.pid());
                } else if (!merged.running()) {
                    slot.namespaces = ProcessNamespaces.NONE;
                }
                if (!merged.name().isEmpty()) {
                    slot.ref = ContainerSlot.refOf(merged);
                }
            }
            if (pidChanged && slot.cgroupId == 0) {
                learnCgroupOf(slot, slot.docker.pid());
            }
            if (watched != null) {
                watched.update(container(slot));
            }
            maintain();
        }

        @Override
        public void stopped(String id) {
            ContainerSlot slot = slots.get(id);
            if (slot != null && watched != null) {
                watched.update(container(slot));
            }
        }

        @Override
        public void destroyed(String id) {
            ContainerSlot slot = slots.get(id);
            if (slot != null) {
                synchronized (slot) {
                    DockerContainer d = slot.docker;
                    if (d != null) {
                        slot.docker = d.withRunning(false);
                    }
                    slot.goneSinceNanos = System.nanoTime();
                }
                if (watched != null) {
                    watched.update(container(slot));
                }
            }
        }

        @Override
        public void listed(Set<String> ids) {
            firstList.countDown();
            for (ContainerSlot slot : slots.values()) {
                if (slot.docker != null && !ids.contains(slot.id) && slot.goneSinceNanos == 0) {
                    destroyed(slot.id); // removed while the daemon was away
                }
            }
        }

        @Override
        public void connected(boolean connected) {
            if (!connected) {
                firstList.countDown(); // no daemon: nothing to wait for at start
            }
            // isConnected() is read where it matters (awaitingMetadata); nothing is dropped on a disconnect.
        }

        /** Newer facts win; an event's empty fields keep what an inspect said. */
        private DockerContainer merge(DockerContainer old, DockerContainer news) {
            if (old == null) {
                return news;
            }
            String name = news.name().isEmpty() ? old.name() : news.name();
            String image = news.image().isEmpty() ? old.image() : news.image();
            var labels = news.labels().isEmpty() ? old.labels() : news.labels();
            int pid = news.inspected() ? news.pid() : (news.running() && old.running() ? old.pid() : 0);
            var started = news.started() != null ? news.started() : old.started();
            return new DockerContainer(news.id(), name, image, labels, pid, started, news.running(),
                    news.inspected() || old.inspected());
        }

        /** The cgroup of a container started before the learner could see it made (Apiary started later, or a ring miss). */
        private void learnCgroupOf(ContainerSlot slot, int pid) {
            String path = cgroupPathOf(pid);
            if (path == null) {
                return;
            }
            try {
                long id = ((Number) Files.getAttribute(settings.cgroupRoot().resolve(path.substring(1)), "unix:ino")).longValue();
                learner.learn(new CgroupRecord(false, id, (int) path.chars().filter(ch -> ch == '/').count(), path, false));
            } catch (IOException | RuntimeException e) {
                LOG.debug("cgroup of container {} (pid {}) not found: {}", slot.id, pid, e.toString());
            }
        }
    }
}
