package dev.apiary.tracker.namespace;

import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.TrackerName;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

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
@Component(service = {Tracker.class, NamespaceTracker.class}, configurationPid = NamespaceTracker.PID)
@Designate(ocd = NamespaceTracker.Config.class)
public final class NamespaceTracker implements Tracker {

    /** Its name, as its pom's {@code <apiary.tracker>} declares it (the bundle's Apiary-Tracker header). */
    public static final String NAME = TrackerName.of(NamespaceTracker.class);

    /** Its configuration PID, also conf/<PID>.cfg: the bundle's symbolic name. */
    public static final String PID = "dev.apiary.tracker.namespace";

    static final String OBJECT = "bpf/namespace.bpf.o";

    /** The read-only global of namespace.bpf.o that {@link Config#follow_runtimes} sets. */
    static final String FOLLOW_RUNTIMES = "ns_follow_runtimes";

    /** Its settings ({@code tracker:config namespace}); a change restarts the tracker. */
    @ObjectClassDefinition(id = NamespaceTracker.PID, name = "namespace tracker",
            description = "Namespaces, mounts and cgroups: how containers are made")
    public @interface Config {

        /*
         * The default ring: one container start is about 60–120 records of 170–700 bytes (one
         * cgroup mkdir and attach per hierarchy on a v1 hybrid): 1 MiB holds the starts of some
         * fifty containers at once (the benchmarks' starts peaked at 4 KB waiting).
         */
        @AttributeDefinition(description = RingSize.DESCRIPTION,
                min = RingSize.MIN_KIB, max = RingSize.MAX_KIB)
        int ring_kb() default 1024;

        @AttributeDefinition(description = "Also report the container runtimes' own tasks on the host (runc*, crun, "
                + "containerd*, dockerd, docker-init, conmon), which make a container's namespaces and cgroups "
                + "before it exists; false: only the watched tasks")
        boolean follow_runtimes() default true;
    }

    static final List<String> EVENT_TYPES = java.util.Arrays.stream(NamespaceDecoder.TYPES).skip(1).toList(); // index 0 is no type

    private final Config config;
    private volatile Containers containers;

    @Activate
    public NamespaceTracker(Config config) {
        this.config = config;
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
        context.load(OBJECT, this::configure, new NamespaceDecoder(new CgroupHierarchies(Path.of("/proc/cgroups"))));
        containers = context.containers();
    }

    /** Between open and load: applies the settings. */
    void configure(BpfObject o) {
        o.map("apiary_events").setMaxEntries(RingSize.bytes(config.ring_kb()));
        o.globals().set(FOLLOW_RUNTIMES, config.follow_runtimes());
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
