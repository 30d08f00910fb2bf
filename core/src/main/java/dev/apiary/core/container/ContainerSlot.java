package dev.apiary.core.container;

import dev.apiary.sdk.ContainerRef;
import java.util.Map;

/**
 * Everything the directory knows of one container, shared by all its cgroup ids in the
 * dispatcher's table. The dispatcher reads {@link #ref} (a volatile read, nothing else);
 * writers change fields while holding the slot's monitor, and publish {@link #ref} last.
 */
final class ContainerSlot {

    /** The one slot of every host cgroup. */
    static final ContainerSlot HOST = new ContainerSlot(ContainerRef.HOST_ID, ContainerRef.HOST_ID, ContainerRef.HOST);

    final String id;
    final String runtime;
    volatile ContainerRef ref;
    volatile DockerContainer docker;            // null until Docker speaks of it
    volatile long cgroupId;                     // the container's own cgroup, 0 until learned
    volatile String cgroupPath = "";
    volatile int pathPid;                       // a pid found in cgroup.procs, for containers Docker does not know
    volatile ProcessNamespaces namespaces = ProcessNamespaces.NONE;
    volatile boolean cgroupRemoved;
    volatile long goneSinceNanos;               // 0 while it exists; then when it was destroyed or its cgroup removed

    ContainerSlot(String id, String runtime, ContainerRef ref) {
        this.id = id;
        this.runtime = runtime;
        this.ref = ref;
    }

    static ContainerSlot unnamed(String id, String runtime) {
        return new ContainerSlot(id, runtime, ContainerRef.unnamed(id, runtime));
    }

    boolean running() {
        DockerContainer d = docker;
        return d != null ? d.running() && goneSinceNanos == 0 : !cgroupRemoved && cgroupId != 0;
    }

    static ContainerRef refOf(DockerContainer d) {
        Map<String, String> labels = d.labels();
        return new ContainerRef(d.id(), d.name(), d.image(), CgroupPaths.DOCKER, labels,
                labels.getOrDefault("io.kubernetes.pod.name", ""),
                labels.getOrDefault("io.kubernetes.pod.namespace", ""));
    }
}
