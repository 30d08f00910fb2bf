package dev.apiary.core.container;

import dev.apiary.sdk.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every container the directory knows, by the runtime's container id: the one
 * {@link ContainerSlot} per container that both sides fill ({@link CgroupTable} from cgroup
 * paths, {@link DockerFacts} from the daemon), and the {@link Container} view of a slot.
 *
 * <p><b>Threads.</b> Safe from any thread: the map is concurrent and its views weakly
 * consistent; a slot's fields change under the slot's monitor, as {@link ContainerSlot} says.
 * Building a {@link Container} may read {@code /proc} and the cgroup tree (it caches the pid and
 * namespaces it finds in the slot).
 */
final class ContainerSlots {

    private final Path cgroupRoot;
    private final ConcurrentHashMap<String, ContainerSlot> byId = new ConcurrentHashMap<>();

    /** @param cgroupRoot the cgroup v2 mount point, where a container's {@code cgroup.procs} is read */
    ContainerSlots(Path cgroupRoot) {
        this.cgroupRoot = cgroupRoot;
    }

    /** The slot of a container id, or null. */
    ContainerSlot get(String id) {
        return byId.get(id);
    }

    /** The slot of a container id, made unnamed (named by its id and runtime) when it is new. */
    ContainerSlot slotFor(String id, String runtime) {
        return byId.computeIfAbsent(id, k -> ContainerSlot.unnamed(k, runtime));
    }

    /** A live, weakly consistent view of every slot. */
    Collection<ContainerSlot> all() {
        return byId.values();
    }

    int size() {
        return byId.size();
    }

    /**
     * Removes the containers gone (destroyed, or their cgroup removed) for longer than
     * {@code limitNanos} at {@code nowNanos}.
     *
     * @return the slots removed
     */
    Set<ContainerSlot> removeGone(long nowNanos, long limitNanos) {
        Set<ContainerSlot> removed = new HashSet<>();
        byId.values().removeIf(s -> {
            boolean old = s.goneSinceNanos != 0 && nowNanos - s.goneSinceNanos > limitNanos;
            if (old) {
                removed.add(s);
            }
            return old;
        });
        return removed;
    }

    /** Every container, the running ones first, then by display name. */
    List<Container> list() {
        List<Container> all = new ArrayList<>();
        for (ContainerSlot slot : byId.values()) {
            all.add(container(slot));
        }
        all.sort(Comparator.comparing((Container c) -> !c.running()).thenComparing(c -> c.ref().displayName()));
        return all;
    }

    /** What a slot says now, with the container's process and namespaces while it runs. */
    Container container(ContainerSlot slot) {
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
        try (var lines = Files.lines(cgroupRoot.resolve(slot.cgroupPath.substring(1)).resolve("cgroup.procs"))) {
            int pid = lines.findFirst().map(Integer::parseInt).orElse(0);
            slot.pathPid = pid;
            slot.namespaces = ProcessNamespaces.of(pid);
            return pid;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
