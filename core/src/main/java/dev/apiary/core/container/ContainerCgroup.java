package dev.apiary.core.container;

import java.util.Objects;

/**
 * A container recognised in a cgroup path by its runtime's naming pattern.
 *
 * @param runtime     "docker", "containerd", "cri-o", "podman" or "runc" (the {@link dev.apiary.sdk.ContainerRef} names)
 * @param id          the runtime's container id as the path spells it (lower-case hex)
 * @param cgroupPath  the container's own cgroup: the given path cut after the component that
 *                    names the container (cgroups nested inside a container belong to it)
 */
public record ContainerCgroup(String runtime, String id, String cgroupPath) {

    public ContainerCgroup {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(cgroupPath, "cgroupPath");
    }
}
