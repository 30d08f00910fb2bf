package dev.apiary.core.dispatch;

import dev.apiary.sdk.ContainerRef;

/** What the dispatcher asks about containers, on its own thread: it must answer from memory. */
public interface ContainerLookup {

    /** The container of a cgroup v2 id; {@link ContainerRef#HOST} for host cgroups. */
    ContainerRef resolve(long cgroupId);

    /**
     * Whether more is about to be known of this container (its runtime API has not named it
     * yet but is reachable): the dispatcher then holds its events back briefly.
     */
    boolean awaitingMetadata(ContainerRef ref);

    /** Answers HOST for everything: for tests and when no resolver runs. */
    ContainerLookup HOST_ONLY = new ContainerLookup() {
        @Override
        public ContainerRef resolve(long cgroupId) {
            return ContainerRef.HOST;
        }

        @Override
        public boolean awaitingMetadata(ContainerRef ref) {
            return false;
        }
    };
}
