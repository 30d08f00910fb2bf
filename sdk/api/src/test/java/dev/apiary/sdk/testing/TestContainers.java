package dev.apiary.sdk.testing;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link Containers} for a command's or a sink's test: the containers it is given, found the
 * way core finds them (name, full id, or an id prefix of 3+ characters). {@link #setLimit} is
 * refused unless the test says what it does ({@link #onSetLimit}). Safe for concurrent use.
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

    /** Adds a container; its pid and cgroup id follow the order of adding (100, 101...; 5000, 5001...). */
    public TestContainers add(ContainerRef ref, boolean running) {
        int n = containers.size();
        containers.add(new Container(ref, running ? 100 + n : 0, 5000 + n, "/system.slice/docker-" + ref.id() + ".scope",
                4026532000L + n, 4026533000L + n, 4026534000L + n, running, null));
        return this;
    }

    /** Adds a container as it is given. */
    public TestContainers add(Container container) {
        containers.add(container);
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

    @Override
    public Optional<Container> find(String nameOrId) {
        return containers.stream().filter(c -> c.ref().matches(nameOrId)).findFirst();
    }

    @Override
    public ContainerRef ofPid(int pid) {
        return containers.stream().filter(c -> c.pid() == pid).map(Container::ref).findFirst().orElse(ContainerRef.HOST);
    }

    @Override
    public ContainerRef ofCgroup(long cgroupId) {
        return containers.stream().filter(c -> c.cgroupId() == cgroupId).map(Container::ref).findFirst()
                .orElse(ContainerRef.HOST);
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
}
