package dev.apiary.sdk;

import java.util.List;
import java.util.Optional;

/**
 * The containers core knows of, as an OSGi service. Safe for concurrent use.
 */
public interface Containers {

    /** Every known container, running ones first, then by name. */
    List<Container> list();

    /** The container a user's word names: a name, an id, or an id prefix of 3+ characters. */
    Optional<Container> find(String nameOrId);

    /** The container a host pid runs in ({@link ContainerRef#HOST} when none), from /proc. */
    ContainerRef ofPid(int pid);

    /** The container of a cgroup v2 id ({@link ContainerRef#HOST} when none). */
    ContainerRef ofCgroup(long cgroupId);
}
