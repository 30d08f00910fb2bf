package dev.apiary.sdk;

import java.util.Map;

/**
 * The resource limits of a running process's cgroups, whatever the cgroup version: as an OSGi
 * service (the namespace tracker's bundle provides it), for reports that must read them while
 * the container still runs. Safe for concurrent use.
 */
public interface ContainerLimits {

    /**
     * The limits of {@code pid}'s cgroups, by resource: {@code memory} ("64.0 MiB"), {@code cpu}
     * ("0.50 CPU"), {@code pids} ("100"), each "unlimited" when not limited; a resource whose
     * controller is mounted nowhere is left out.
     *
     * @return empty when the process is gone or its cgroups cannot be read
     */
    Map<String, String> ofProcess(int pid);
}
