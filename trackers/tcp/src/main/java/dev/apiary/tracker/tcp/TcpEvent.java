package dev.apiary.tracker.tcp;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/**
 * One thing that happened to a TCP socket of a watched process. Its {@link #type()} says what:
 * {@code connect} (an outbound connect's outcome: connected, or failed with {@code error}),
 * {@code accept} (accept() returned the connection), {@code listen}, {@code close} (the last
 * record of a socket, with its byte counts and lifetime) or {@code state} (any other state change, sent
 * only with the tracker setting {@code state.changes=true}).
 *
 * <p>The header and container are the socket's owner's, not the task that ran when the kernel
 * changed the state (often a softirq): the process that connected, listened or accepted, or,
 * for a passive connection not yet accepted, the process that listens on its port.
 *
 * @param connectionId  the tracker's id for this socket, the same in all its records while the tracker runs
 * @param family        "ipv4" or "ipv6"
 * @param localAddress  local address (for an IPv6 socket talking IPv4, the mapped form ::ffff:a.b.c.d)
 * @param localPort     local port; 0 before a connecting socket is given one (state SYN_SENT)
 * @param remoteAddress remote address; 0.0.0.0 or :: for a listening socket
 * @param remotePort    remote port; 0 for a listening socket
 * @param oldState      the state before the change ("ESTABLISHED", "SYN_SENT", ...)
 * @param state         the state after it; for accept the state the connection is in
 * @param bytesSent     bytes sent and acknowledged by the peer so far (tcp_sock.bytes_acked, as
 *                      tcplife and {@code ss -i} report it): sequence space, so a FIN the peer
 *                      acknowledged counts one more, and so does the SYN of the side that connected
 * @param bytesReceived bytes received so far (tcp_sock.bytes_received): a FIN received counts as one more
 * @param ageNs         nanoseconds since the socket's birth: connect() called, the handshake of
 *                      an accepted connection completed, or listen(); for a connect its handshake time,
 *                      for a close the connection's lifetime
 * @param error         a failed connect's error ("ECONNREFUSED", "ETIMEDOUT"...), else ""
 */
public record TcpEvent(EventHeader header, ContainerRef container,
        @FieldDoc("the tracker's id for the socket, the same in all its records") long connectionId,
        @FieldDoc("ipv4 or ipv6") String family,
        @FieldDoc("local address") String localAddress,
        @FieldDoc("local port (0 while a connect has not picked one)") int localPort,
        @FieldDoc("remote address") String remoteAddress,
        @FieldDoc("remote port") int remotePort,
        @FieldDoc("state before the change") String oldState,
        @FieldDoc("state after the change") String state,
        @FieldDoc("bytes sent and acknowledged so far (sequence space: an acknowledged FIN, and a connect's SYN, count 1 each)") long bytesSent,
        @FieldDoc("bytes received so far (a FIN received counts 1)") long bytesReceived,
        @FieldDoc("ns since the socket's connect, handshake (accepted) or listen: the lifetime at close") long ageNs,
        @FieldDoc("a failed connect's error (ECONNREFUSED...), else empty") String error) implements Event {

    public static final String CONNECT = "connect", ACCEPT = "accept", LISTEN = "listen", CLOSE = "close", STATE = "state";

    @Override
    public String type() {
        return switch (header.type()) {
            case TcpDecoder.CONNECT -> CONNECT;
            case TcpDecoder.ACCEPT -> ACCEPT;
            case TcpDecoder.LISTEN -> LISTEN;
            case TcpDecoder.CLOSE -> CLOSE;
            default -> STATE;
        };
    }

    /** Whether this is a connect that did not connect. */
    public boolean failed() {
        return !error.isEmpty();
    }
}
