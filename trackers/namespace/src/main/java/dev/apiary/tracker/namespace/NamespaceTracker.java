package dev.apiary.tracker.namespace;

import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * The namespace tracker: loads namespace.bpf.o and decodes its records into
 * {@link NamespaceEvent}s, {@link MountEvent}s and {@link CgroupEvent}s. Registered as a
 * {@link Tracker} for core and under its own class for {@link NamespaceCommands}, which needs
 * the containers while it runs.
 *
 * <p>Scope: the events of watched tasks (apiary_watching(), as every tracker) and also those of
 * container runtimes' own tasks on the host (runc and its children, crun, containerd and its
 * shims, dockerd, docker-init, conmon): a container's namespaces and cgroups are made by them
 * before the container exists, so without them the tracker could not show how one is made.
 */
@Component(service = {Tracker.class, NamespaceTracker.class})
public final class NamespaceTracker implements Tracker {

    public static final String NAME = "namespace";
    static final String OBJECT = "bpf/namespace.bpf.o";

    /**
     * Ring size. One container start is about 60–120 records of 170–700 bytes (one cgroup
     * mkdir and attach per hierarchy on a v1 hybrid): 4 MiB holds the starts of a few hundred
     * containers at once.
     */
    static final int RING_BYTES = 4 << 20;

    static final List<String> EVENT_TYPES = java.util.Arrays.stream(NamespaceDecoder.TYPES).skip(1).toList(); // index 0 is no type

    private volatile Containers containers;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "namespace creation and entry, mounts, cgroup creation and attachment (containers and their runtimes); ns:show, ns:set-limit";
    }

    @Override
    public List<EventType> events() {
        List<EventType> out = new java.util.ArrayList<>();
        out.addAll(EventType.of(NamespaceEvent.class,
                "clone", "a process cloned with new namespaces (CLONE_NEW*)",
                "unshare", "a process left namespaces for new ones",
                "setns", "a process entered another process's namespace"));
        out.addAll(EventType.of(MountEvent.class,
                "mount", "a file system mounted", "umount", "a file system unmounted",
                "pivot_root", "a process changed its root file system", "move_mount", "a mount moved",
                "fsopen", "a file system context opened", "fsmount", "a mount made from a context",
                "open_tree", "a mount tree opened or cloned"));
        out.addAll(EventType.of(CgroupEvent.class,
                "cgroup_mkdir", "a cgroup made", "cgroup_attach", "a process moved into a cgroup"));
        return List.copyOf(out);
    }

    @Override
    public void start(TrackerContext context) {
        NamespaceDecoder decoder = new NamespaceDecoder(new CgroupHierarchies(Path.of("/proc/cgroups")));
        context.load(OBJECT, o -> {
            decoder.verify(o.btf());
            o.map("apiary_events").setMaxEntries(RING_BYTES);
        }, decoder);
        containers = context.containers();
    }

    @Override
    public void stop() {
        containers = null;
    }

    /** The containers core knows, while the tracker runs; empty when it is stopped. */
    Optional<Containers> containers() {
        return Optional.ofNullable(containers);
    }
}
