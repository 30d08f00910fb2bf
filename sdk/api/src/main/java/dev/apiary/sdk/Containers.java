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

    /**
     * Tells {@code listener} of every container that stops from now on, on core's own thread
     * (one at a time, in order; a listener that throws is logged and kept), until the returned
     * handle is closed. The stop comes once the runtime said so: events of its last moments
     * may still be on their way to subscribers.
     *
     * @return what ends the listening; closing it twice does nothing
     */
    default AutoCloseable onStop(java.util.function.Consumer<ContainerStop> listener) {
        return () -> {
        };
    }

    /** A resource limit of a running container that its runtime can change. */
    enum Limit {
        /** Memory in bytes (memory.max, or memory.limit_in_bytes on cgroup v1). */
        MEMORY,
        /** CPU in billionths of a CPU, as Docker's NanoCpus: 1.5 CPUs = 1,500,000,000. */
        CPU,
        /** Number of tasks (pids.max). */
        PIDS
    }

    /**
     * Changes a running container's limit through its runtime's API (Docker's container
     * update), as {@code docker update} would; the cgroup follows when the call returns.
     *
     * @param nameOrId a name, an id, or an id prefix of 3+ characters, as for {@link #find}
     * @param value the new limit in the unit {@code limit} names; must be positive
     * @throws IllegalArgumentException when no running Docker container matches or the value is not positive
     * @throws IllegalStateException when the daemon is unreachable or refuses the change (its message included)
     * @throws UnsupportedOperationException from an implementation that changes nothing (core's does)
     */
    default void setLimit(String nameOrId, Limit limit, long value) {
        throw new UnsupportedOperationException("these containers cannot be changed");
    }
}
