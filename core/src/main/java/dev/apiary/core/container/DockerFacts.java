package dev.apiary.core.container;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import dev.apiary.sdk.ContainerStop;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What the Docker daemon told, kept in the containers' slots: name, image, labels, the init
 * pid and its namespaces, whether it runs and since when. The {@link DockerWatcher}'s listener;
 * it holds no connection (the {@link ContainerDirectory} holds the watcher), so nothing here
 * talks to the daemon.
 *
 * <p>Newer facts win, but an event's empty fields keep what an inspect said. A destroyed
 * container stays known (not running) until {@link CgroupTable#maintain} forgets it.
 *
 * <p><b>Threads.</b> The callbacks come from the watcher's thread and docker-java's event thread,
 * as {@link DockerWatcher} says; each changes a slot under the slot's monitor and publishes its
 * {@code ref} last, so the dispatcher reads a whole name. {@link #awaitFirstList} and
 * {@link #close} are safe from any thread. The {@code changed} callback runs on the caller's thread.
 */
final class DockerFacts implements DockerWatcher.Listener {

    private final ContainerSlots slots;
    private final CgroupTable cgroups;
    private final Consumer<ContainerSlot> changed;
    private final Consumer<ContainerStop> stops;
    private final LongSupplier nanoClock;
    private final CountDownLatch firstList = new CountDownLatch(1);
    private volatile boolean closed;

    /**
     * @param slots     where the facts are kept
     * @param cgroups   asked for the cgroup of a container first seen running, and to forget old ones
     * @param changed   told after a container started, stopped, was renamed or destroyed
     * @param stops     told after a container stopped, with what the daemon said of its end
     * @param nanoClock {@link System#nanoTime()} but in tests; the same clock as the table's
     */
    DockerFacts(ContainerSlots slots, CgroupTable cgroups, Consumer<ContainerSlot> changed,
            Consumer<ContainerStop> stops, LongSupplier nanoClock) {
        this.slots = slots;
        this.cgroups = cgroups;
        this.changed = changed;
        this.stops = stops;
        this.nanoClock = nanoClock;
    }

    /** Whether the daemon's first answer came: its list, or that it cannot be reached. */
    boolean firstListHeard() {
        return firstList.getCount() == 0;
    }

    /**
     * Waits until the daemon's first list arrived or the daemon was found away, at most
     * {@code timeout}; an interrupt ends the wait and stays set.
     *
     * @return whether the wait ended before the timeout
     */
    boolean awaitFirstList(Duration timeout) {
        try {
            return firstList.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Ignores what is seen from now on (the watcher may still be finishing a list). */
    void close() {
        closed = true;
    }

    @Override
    public void seen(DockerContainer news) {
        if (closed) {
            return;
        }
        ContainerSlot slot = slots.slotFor(news.id(), CgroupPaths.DOCKER);
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
            cgroups.learnOfPid(slot.id, slot.docker.pid());
        }
        changed.accept(slot);
        cgroups.maintain();
    }

    @Override
    public void stopped(String id, int exitCode, Instant at) {
        ContainerSlot slot = slots.get(id);
        if (slot != null) {
            changed.accept(slot);
            if (!closed) {
                stops.accept(new ContainerStop(slots.container(slot), exitCode, at));
            }
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
                slot.goneSinceNanos = nanoClock.getAsLong();
            }
            changed.accept(slot);
        }
    }

    @Override
    public void listed(Set<String> ids) {
        firstList.countDown();
        for (ContainerSlot slot : slots.all()) {
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
        // The watcher's isConnected() is read where it matters (awaitingMetadata); nothing is dropped on a disconnect.
    }

    /** Newer facts win; an event's empty fields keep what an inspect said. */
    private static DockerContainer merge(DockerContainer old, DockerContainer news) {
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
}
