package dev.apiary.tracker.tcp;

import dev.apiary.sdk.ContainerRef;

/**
 * One TCP socket as the tables show it.
 *
 * @param container     the owner's container
 * @param netNs         the network namespace inode the socket lives in, 0 when unknown
 * @param pid           the owning process, 0 when unknown (a socket opened before the tracker started, read from /proc)
 * @param comm          the owning process's command name, "" when unknown
 * @param family        "ipv4" or "ipv6"
 * @param localAddress  local address
 * @param localPort     local port
 * @param remoteAddress remote address (0.0.0.0 or :: when listening)
 * @param remotePort    remote port (0 when listening)
 * @param state         "ESTABLISHED", "LISTEN", ...
 * @param bytesSent     bytes sent and acknowledged as of the socket's last event, -1 when unknown
 * @param bytesReceived bytes received as of its last event, -1 when unknown
 * @param birthNs       CLOCK_BOOTTIME of its connect, handshake (accepted) or listen; -1 when unknown
 * @param connectionId  the tracker's id for it, 0 for a socket only /proc showed
 */
public record Connection(ContainerRef container, long netNs, int pid, String comm, String family, String localAddress,
        int localPort, String remoteAddress, int remotePort, String state, long bytesSent, long bytesReceived,
        long birthNs, long connectionId) {

    /** The socket a TCP event describes, owned by the event's process. */
    static Connection of(TcpEvent e) {
        return new Connection(e.container(), e.header().netNs(), e.header().pid(), e.header().comm(), e.family(),
                e.localAddress(), e.localPort(), e.remoteAddress(), e.remotePort(), e.state(), e.bytesSent(),
                e.bytesReceived(), e.header().tsNanos() - e.ageNs(), e.connectionId());
    }

    /** What identifies a socket within a network namespace: its four endpoints. */
    record Key(long netNs, String localAddress, int localPort, String remoteAddress, int remotePort) {}

    Key key() {
        return new Key(netNs, localAddress, localPort, remoteAddress, remotePort);
    }

    boolean listening() {
        return "LISTEN".equals(state);
    }

    Connection withState(String newState) {
        return new Connection(container, netNs, pid, comm, family, localAddress, localPort, remoteAddress, remotePort,
                newState, bytesSent, bytesReceived, birthNs, connectionId);
    }
}
