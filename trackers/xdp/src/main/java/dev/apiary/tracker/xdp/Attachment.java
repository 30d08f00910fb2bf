package dev.apiary.tracker.xdp;

import dev.apiary.sdk.ContainerRef;
import java.util.List;

/**
 * What {@code xdp:attach} made: the programs on a container's veth ends, or on one host
 * interface. Immutable; its links are closed by {@link Attachments} when it is released.
 *
 * @param container the container, or null for a host interface
 * @param pid       the container's init process when attached (0 for an interface): a
 *                  container started again has a new one, and its old attachment is gone
 * @param netNs     the inode of the container's network namespace, 0 for an interface
 * @param hook      where the programs are: tc, or XDP in a mode
 * @param ports     the programs, host side first
 */
record Attachment(ContainerRef container, String interfaceName, int pid, long netNs, Hook hook, List<Port> ports) {

    Attachment {
        ports = List.copyOf(ports);
    }

    boolean isContainer() {
        return container != null;
    }

    /** What tables show: the container's name, or the interface's. */
    String target() {
        return container != null ? container.displayName() : interfaceName;
    }

    /** Whether a user's word names this attachment. */
    boolean matches(String word) {
        return container != null ? container.matches(word) : interfaceName.equals(word);
    }

    /**
     * The index the programs know this attachment's {@code side} by, 0 when it has none there:
     * the host end's for {@link Side#HOST} and, with tc, for {@link Side#INNER} too; with XDP
     * the container's own end's index in its namespace for {@link Side#INNER}.
     */
    int index(Side side) {
        return ports.stream().filter(p -> p.side() == side).mapToInt(Port::ifindex).findFirst().orElse(0);
    }
}
