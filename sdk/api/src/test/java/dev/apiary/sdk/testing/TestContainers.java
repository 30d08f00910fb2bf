package dev.apiary.sdk.testing;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * {@link Containers} for a test (a command's, a sink's, a tracker's or core's): the containers it
 * is given, found the way core finds them (name, full id, or an id prefix of 3+ characters);
 * a pid or cgroup none of them has is the host's. A test may change them as it goes
 * ({@link #add}, {@link #replace}, {@link #clear}): every call answers from what is there then.
 * What core would answer otherwise is the test's to say: {@link #onFind} (a runtime's API),
 * {@link #unnamedCgroups} (each cgroup a container of its own), {@link #onSetLimit}
 * ({@link #setLimit} is refused without it). Safe for concurrent use.
 */
public final class TestContainers implements Containers {

    /** A running Docker container "web" with a fixed id. */
    public static final ContainerRef WEB = docker("3f2a1b9c0d12aa55", "web", "nginx:1.27");
    /** A running Docker container "db" with a fixed id. */
    public static final ContainerRef DB = docker("77aa00bb11cc22dd", "db", "postgres:17");

    /** What {@link #setLimit} does in a test: records the call, changes a file, or refuses. */
    @FunctionalInterface
    public interface LimitChange {
        void set(String nameOrId, Limit limit, long value);
    }

    private final List<Container> containers = new CopyOnWriteArrayList<>();
    private volatile LimitChange limitChange;
    private volatile Function<String, Optional<Container>> lookup;
    private volatile boolean unnamedCgroups;
    private final List<java.util.function.Consumer<dev.apiary.sdk.ContainerStop>> stopListeners = new CopyOnWriteArrayList<>();

    /** Running containers, each with a made-up pid and cgroup id. */
    public static TestContainers running(ContainerRef... refs) {
        TestContainers t = new TestContainers();
        for (ContainerRef r : refs) {
            t.add(r, true);
        }
        return t;
    }

    /** {@code containers} as they are given (their own pids, cgroups and states). */
    public static TestContainers of(Container... containers) {
        TestContainers t = new TestContainers();
        for (Container c : containers) {
            t.add(c);
        }
        return t;
    }

    /** A Docker container reference whose id is {@code idStart} padded with zeros to 64 digits. */
    public static ContainerRef docker(String idStart, String name, String image) {
        return new ContainerRef(idStart + "0".repeat(Math.max(0, 64 - idStart.length())), name, image, "docker",
                Map.of(), "", "");
    }

    /**
     * Adds a container; its pid and cgroup id follow the order of adding since the last
     * {@link #clear} (100, 101...; 5000, 5001...), its pid 0 when not running.
     */
    public synchronized TestContainers add(ContainerRef ref, boolean running) {
        int n = containers.size();
        containers.add(new Container(ref, running ? 100 + n : 0, 5000 + n, "/system.slice/docker-" + ref.id() + ".scope",
                4026532000L + n, 4026533000L + n, 4026534000L + n, running, null));
        return this;
    }

    /** Adds a container as it is given. */
    public synchronized TestContainers add(Container container) {
        containers.add(container);
        return this;
    }

    /**
     * Puts {@code container} in the place of the one with the same id: the same container
     * restarted (another pid), stopped, renamed... as the test says.
     *
     * @throws IllegalArgumentException when none has its id
     */
    public synchronized TestContainers replace(Container container) {
        for (int i = 0; i < containers.size(); i++) {
            if (containers.get(i).ref().id().equals(container.ref().id())) {
                containers.set(i, container);
                return this;
            }
        }
        throw new IllegalArgumentException("no container " + container.ref().id() + " to replace");
    }

    /** Forgets every container: none is known until the test adds some again. */
    public synchronized TestContainers clear() {
        containers.clear();
        return this;
    }

    /**
     * Makes {@link #find} ask {@code lookup} instead of its own containers, at each call: a
     * runtime's API (what {@code docker inspect} says), or an {@link AssertionError} for code
     * that must decide from {@link #list} alone. The rest still answers from its own containers.
     */
    public TestContainers onFind(Function<String, Optional<Container>> lookup) {
        this.lookup = lookup;
        return this;
    }

    /**
     * Makes {@link #ofCgroup} answer a cgroup none of its containers has with a container of its
     * own, known by the cgroup id alone ({@code ContainerRef.unnamed(Long.toString(cgroupId),
     * "cgroup")}) instead of the host: as core's containers name a cgroup no runtime has named
     * yet, so that what a tracker counts by container it counts by cgroup.
     */
    public TestContainers unnamedCgroups() {
        this.unnamedCgroups = true;
        return this;
    }

    /** Makes {@link #setLimit} call {@code change}. */
    public TestContainers onSetLimit(LimitChange change) {
        this.limitChange = change;
        return this;
    }

    @Override
    public List<Container> list() {
        List<Container> out = new ArrayList<>(containers);
        out.sort((a, b) -> a.running() == b.running() ? a.ref().displayName().compareTo(b.ref().displayName())
                : a.running() ? -1 : 1);
        return out;
    }

    /** The first of its containers {@code nameOrId} names, or what {@link #onFind} said. */
    @Override
    public Optional<Container> find(String nameOrId) {
        Function<String, Optional<Container>> l = lookup;
        if (l != null) {
            return l.apply(nameOrId);
        }
        return containers.stream().filter(c -> c.ref().matches(nameOrId)).findFirst();
    }

    @Override
    public ContainerRef ofPid(int pid) {
        return containers.stream().filter(c -> c.pid() == pid).map(Container::ref).findFirst().orElse(ContainerRef.HOST);
    }

    /** Its container in that cgroup; for none, the host, or an unnamed one with {@link #unnamedCgroups}. */
    @Override
    public ContainerRef ofCgroup(long cgroupId) {
        return containers.stream().filter(c -> c.cgroupId() == cgroupId).map(Container::ref).findFirst()
                .orElseGet(() -> unnamedCgroups ? ContainerRef.unnamed(Long.toString(cgroupId), "cgroup")
                        : ContainerRef.HOST);
    }

    /** What {@link #onSetLimit} said; without it, refused as by {@link Containers}' default. */
    @Override
    public void setLimit(String nameOrId, Limit limit, long value) {
        LimitChange change = limitChange;
        if (change == null) {
            Containers.super.setLimit(nameOrId, limit, value);
        } else {
            change.set(nameOrId, limit, value);
        }
    }

    /** Listens as core does: {@link #stop} tells it, on the caller's thread. */
    @Override
    public AutoCloseable onStop(java.util.function.Consumer<dev.apiary.sdk.ContainerStop> listener) {
        stopListeners.add(listener);
        return () -> stopListeners.remove(listener);
    }

    /**
     * Marks {@code ref} stopped (its pid 0) and tells every {@link #onStop} listener.
     *
     * @param exitCode what the runtime would say it ended with
     */
    public void stop(ContainerRef ref, int exitCode, java.time.Instant at) {
        Container was = find(ref.id()).orElseThrow(() -> new IllegalArgumentException("no container " + ref.id()));
        Container now = new Container(was.ref(), 0, was.cgroupId(), was.cgroupPath(), was.mntNs(), was.pidNs(),
                was.netNs(), false, was.started());
        replace(now);
        dev.apiary.sdk.ContainerStop stop = new dev.apiary.sdk.ContainerStop(now, exitCode, at);
        for (var l : stopListeners) {
            l.accept(stop);
        }
    }

    /** How many {@link #onStop} listeners are open: a sink must close its own. */
    public int stopListeners() {
        return stopListeners.size();
    }
}
