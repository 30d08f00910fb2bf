package dev.apiary.core.container;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.ContainerStop;
import dev.apiary.sdk.Containers;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which container a cgroup id, a pid or a user's word means: cgroup paths learned from the
 * kernel ({@link CgroupLearner}), named by the runtimes' path patterns ({@link CgroupPaths}) and
 * by the Docker daemon ({@link DockerWatcher}); keeps the {@code apiary_watched} map in step with
 * the {@link WatchScope}. The facade over three parts: the {@link CgroupTable} (cgroup id to
 * container, what the learner finds), the {@link DockerFacts} (what the daemon told) and the
 * {@link ContainerSlots} both fill, one per container.
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
    private static final Duration FIRST_LIST_WAIT = Duration.ofSeconds(3);
    private volatile long firstListDeadline;

    private final Settings settings;
    private final ContainerSlots slots;
    private final CgroupTable cgroups;
    private final WatchedNamespaces watched;           // null without a cgroups object
    private final DockerFacts told;
    private final StopListeners stopListeners = new StopListeners();
    private final DockerWatcher docker;                // null without a Docker endpoint

    /**
     * @param cgroupsObject core's {@code cgroups.bpf.o}, loaded and attached (the directory reads its
     *                      ring and fills its {@code apiary_watched} map; do not open another reader on
     *                      that ring); null to run without BPF (feed {@link #learnCgroup} yourself, no
     *                      watched map)
     */
    public ContainerDirectory(Settings settings, BpfObject cgroupsObject) {
        this(settings, cgroupsObject, System::nanoTime);
    }

    /** As the public constructor, with the clock of removals and forgetting given (tests). */
    ContainerDirectory(Settings settings, BpfObject cgroupsObject, LongSupplier nanoClock) {
        this.settings = settings;
        RingBuffer ring = null;
        if (cgroupsObject != null) {
            CgroupLearner.checkLayout(cgroupsObject);
            ring = cgroupsObject.ringBuffer();
            this.watched = new WatchedNamespaces(cgroupsObject.map("apiary_watched"), ProcessNamespaces.hostMountNamespace());
        } else {
            this.watched = null;
        }
        this.slots = new ContainerSlots(settings.cgroupRoot());
        this.cgroups = new CgroupTable(settings.cgroupRoot(), settings.rescanInterval(), settings.forgetAfter(), ring,
                slots, this::changed, nanoClock);
        this.told = new DockerFacts(slots, cgroups, this::changed, stopListeners::tell, nanoClock);
        this.docker = settings.dockerEndpoint() == null ? null : new DockerWatcher(settings.dockerEndpoint(), told);
    }

    /** Walks the cgroup tree, enters the watch scope, starts following Docker (not waiting for it). Call once. */
    public void start() {
        int found = cgroups.scan();
        LOG.info("cgroup v2 at {}: {} cgroups, {} containers by path", settings.cgroupRoot(), found, slots.size());
        if (watched != null) {
            watched.apply(settings.scope(), list());
        }
        if (docker != null) {
            // Not waited for: the trackers start meanwhile. Events of containers are held for
            // their names until the daemon's first answer (awaitingMetadata), and the commands'
            // list and find wait for it (awaitFirstList).
            docker.start();
            firstListDeadline = System.nanoTime() + FIRST_LIST_WAIT.toNanos();
        }
    }

    /**
     * Waits, at most until {@link #FIRST_LIST_WAIT} after {@link #start()}, for the Docker
     * daemon's first answer (its list, or that it is away), so that a command run right after the
     * start (bin/apiary -c) sees names. Returns at once later on, or without a Docker endpoint.
     * Never call it from the watcher's threads (the {@code changed} callback).
     */
    public void awaitFirstList() {
        long left = firstListDeadline - System.nanoTime();
        if (docker != null && left > 0) {
            told.awaitFirstList(Duration.ofNanos(left));
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
        return cgroups.resolve(cgroupId);
    }

    /**
     * Whether an event of this container should wait a little for its name: a Docker container
     * whose name Docker has not told yet while the daemon is connected or has not answered a first
     * time since the start (with the daemon away, waiting would not help). The dispatcher then
     * parks the event briefly and resolves again.
     */
    public boolean awaitingMetadata(ContainerRef ref) {
        return CgroupPaths.DOCKER.equals(ref.runtime()) && ref.name().isEmpty() && docker != null
                && (docker.isConnected() || !told.firstListHeard());
    }

    /** Consumes every waiting record of the cgroups object's ring. Dispatcher thread only. */
    public int drainLearner() {
        return cgroups.drain();
    }

    /** The ring this directory reads, for the dispatcher's epoll set (its fd); null without a cgroups object. */
    public RingBuffer learnerRing() {
        return cgroups.ring();
    }

    /** Learns from one record of cgroups.bpf.o, when the caller reads the ring itself. */
    public void learnCgroup(java.lang.foreign.MemorySegment record) {
        cgroups.learner().onRecord(record);
    }

    public CgroupLearner learner() {
        return cgroups.learner();
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
        return slots.list();
    }

    @Override
    public Optional<Container> find(String nameOrId) {
        return list().stream().filter(c -> c.ref().matches(nameOrId)).findFirst(); // running ones come first
    }

    @Override
    public ContainerRef ofPid(int pid) {
        String path = CgroupTable.cgroupPathOf(pid);
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
        return cgroups.ofCgroup(cgroupId);
    }

    /** Docker's containers only: a container seen by its cgroup path alone has no stop told. */
    @Override
    public AutoCloseable onStop(Consumer<ContainerStop> listener) {
        return stopListeners.add(listener);
    }

    @Override
    public void close() {
        told.close();
        stopListeners.close();
        if (docker != null) {
            docker.close();
        }
        cgroups.close();
    }

    /** What Docker or the tree told, for tests: facts fed here are taken as the daemon's. */
    DockerWatcher.Listener dockerFacts() {
        return told;
    }

    /** A container started, stopped, was renamed or lost its cgroup: the watched map follows. */
    private void changed(ContainerSlot slot) {
        if (watched != null) {
            watched.update(slots.container(slot));
        }
    }
}
