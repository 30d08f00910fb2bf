package dev.apiary.tracker.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it, through a {@link TestTrackerContext} (tcp.bpf.o
 * from target/classes, configured by the tracker, loaded, watching everything, attached; no
 * OSGi), with a server in a child process (python3) and this JVM as the client over loopback.
 *
 * <p>Loopback is the hard case for attribution: the server side's handshake completes in the
 * softirq that the client's own send raises, so the current task then is the client. The
 * server's records must still carry the server's pid.
 *
 * <p>One tracker with the default settings ({@code state_changes} off) runs for the whole
 * class; the test of {@code state_changes=true} starts a second one beside it, so that both see
 * the same connection.
 */
@RequiresBpf
class TcpBpfTest {

    private static final int SELF = (int) ProcessHandle.current().pid();

    /** This JVM's sockets are IPv6 ones: it talks to 127.0.0.1 through the IPv4-mapped address. */
    private static final java.util.Set<String> LOOPBACK = java.util.Set.of("127.0.0.1", "::ffff:127.0.0.1", "::1");

    /** The tracker started with the default settings. */
    private static Started standard;

    /**
     * The tracker started with some settings through its own context; its ring is read on the
     * test's thread with {@link TestTrackerContext#pump()} (a record that does not decode is
     * thrown from there and fails the test).
     */
    private static final class Started implements AutoCloseable {

        final TestTrackerContext context = new TestTrackerContext(TcpTracker.NAME);
        final TcpTracker tracker;
        /** Every tcp event on loopback addresses read so far. */
        private final List<TcpEvent> events = new ArrayList<>();

        Started(Map<String, ?> settings) throws Exception {
            try {
                tracker = context.start(new TcpTracker(TestConfig.of(TcpTracker.Config.class, settings)));
            } catch (Exception | Error e) {
                context.close();
                throw e;
            }
        }

        /** Reads what waits in the ring, then the events read so far that match. */
        private List<TcpEvent> read(Predicate<TcpEvent> match) {
            for (Event e : context.pump()) {
                TcpEvent tcp = (TcpEvent) e;
                if (LOOPBACK.contains(tcp.localAddress())) {
                    events.add(tcp);
                }
            }
            return events.stream().filter(match).toList();
        }

        /** The one event that matches, waiting up to 3 s for it (and a little more for a second). */
        TcpEvent only(Predicate<TcpEvent> match, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            List<TcpEvent> found = read(match);
            while (found.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
                found = read(match);
            }
            Thread.sleep(50);
            found = read(match);
            assertEquals(1, found.size(), "one " + what + " (lost: " + context.lost() + "): " + found);
            return found.get(0);
        }

        /** The events that match, after the others have had time to arrive. */
        List<TcpEvent> all(Predicate<TcpEvent> match) throws InterruptedException {
            Thread.sleep(50);
            return read(match);
        }

        @Override
        public void close() {
            tracker.stop();
            context.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        standard = new Started(Map.of());
    }

    @AfterAll
    static void close() {
        if (standard != null) {
            standard.close();
        }
    }

    /** A python3 server: listens on host:0, prints its port, accepts one client, sends 1000 bytes, reads 10, closes. */
    private static Process server(String host, String family) throws Exception {
        String py = """
                import socket, sys
                s = socket.socket(socket.%s, socket.SOCK_STREAM)
                s.bind((sys.argv[1], 0)); s.listen(8)
                print(s.getsockname()[1], flush=True)
                c, _ = s.accept()
                c.sendall(b'x' * 1000)
                got = b''
                while len(got) < 10:
                    got += c.recv(10 - len(got))
                c.close(); s.close()
                """.formatted(family);
        return new ProcessBuilder("python3", "-c", py, host).start();
    }

    private static int portOf(Process server) throws Exception {
        return Integer.parseInt(new BufferedReader(new InputStreamReader(server.getInputStream())).readLine().trim());
    }

    /** Connects to the server, reads its 1000 bytes, sends 10, waits for its close; returns our local port. */
    private static int talk(String host, int port) throws Exception {
        try (Socket s = new Socket(host, port)) {
            InputStream in = s.getInputStream();
            byte[] buf = in.readNBytes(1000);
            assertEquals(1000, buf.length);
            OutputStream out = s.getOutputStream();
            out.write(new byte[10]);
            out.flush();
            assertEquals(-1, in.read(), "the server closes");
            return s.getLocalPort();
        }
    }

    @Test
    void ipv4ConnectAndAcceptAreAttributedToTheirOwnProcessesWithBytesAndLifetime() throws Exception {
        checkOneConnection("127.0.0.1", "AF_INET", "ipv4");
    }

    @Test
    void ipv6OnLoopbackToo() throws Exception {
        checkOneConnection("::1", "AF_INET6", "ipv6");
    }

    private void checkOneConnection(String host, String pyFamily, String family) throws Exception {
        Process server = server(host, pyFamily);
        int serverPid = (int) server.pid();
        int port = portOf(server);
        int clientPort = talk(host, port);
        assertEquals(0, server.waitFor(), new String(server.getErrorStream().readAllBytes()));

        TcpEvent listen = standard.only(e -> e.type().equals(TcpEvent.LISTEN) && e.localPort() == port, "listen on " + port);
        assertEquals(serverPid, listen.header().pid());
        assertEquals("python3", listen.header().comm());
        assertEquals(family, listen.family());
        assertEquals(host, listen.localAddress());
        assertEquals("LISTEN", listen.state());

        TcpEvent connect = standard.only(e -> e.type().equals(TcpEvent.CONNECT) && e.remotePort() == port, "connect to " + port);
        assertEquals(SELF, connect.header().pid(), "the connecting JVM");
        assertEquals(host, plain(connect.remoteAddress()));
        assertEquals(host, plain(connect.localAddress()));
        assertEquals(clientPort, connect.localPort());
        assertEquals("SYN_SENT", connect.oldState());
        assertEquals("ESTABLISHED", connect.state());
        assertEquals("", connect.error());
        assertTrue(connect.ageNs() > 0 && connect.ageNs() < 1_000_000_000L, "handshake time " + connect.ageNs());

        TcpEvent accept = standard.only(e -> e.type().equals(TcpEvent.ACCEPT) && e.localPort() == port, "accept on " + port);
        assertEquals(serverPid, accept.header().pid(), "the accepting process, not the client");
        assertEquals("python3", accept.header().comm());
        assertEquals(clientPort, accept.remotePort());
        assertEquals(host, accept.remoteAddress(), "the server's socket is a plain " + family + " one");
        assertEquals(family, accept.family());


        TcpEvent serverClose = standard.only(e -> e.type().equals(TcpEvent.CLOSE) && e.localPort() == port && e.remotePort() == clientPort,
                "server close");
        assertEquals(serverPid, serverClose.header().pid());
        // The kernel counts in sequence space: a FIN acknowledged or received is one more, and
        // so is the SYN of the side that connected (acknowledged by the SYN-ACK).
        assertEquals(1000 + 1, serverClose.bytesSent());
        assertEquals(10 + 1, serverClose.bytesReceived());
        assertEquals(accept.connectionId(), serverClose.connectionId());
        assertTrue(serverClose.ageNs() > 0, "lifetime " + serverClose.ageNs());

        TcpEvent clientClose = standard.only(e -> e.type().equals(TcpEvent.CLOSE) && e.localPort() == clientPort && e.remotePort() == port,
                "client close");
        assertEquals(SELF, clientClose.header().pid());
        assertEquals(10 + 1 + 1, clientClose.bytesSent());
        assertEquals(1000 + 1, clientClose.bytesReceived());
        assertEquals(connect.connectionId(), clientClose.connectionId());

        TcpEvent listenerClose = standard.only(e -> e.type().equals(TcpEvent.CLOSE) && e.localPort() == port && e.oldState().equals("LISTEN"),
                "listener close");
        assertEquals(listen.connectionId(), listenerClose.connectionId());
        assertEquals(serverPid, listenerClose.header().pid());

        assertEquals(List.of(), standard.all(e -> e.type().equals(TcpEvent.STATE)
                && (e.localPort() == port || e.remotePort() == port)), "state_changes is off by default");
    }

    @Test
    void stateChangesAreSentOnlyWhenAsked() throws Exception {
        try (Started withStates = new Started(Map.of("state_changes", true))) {
            Process server = server("127.0.0.1", "AF_INET");
            int serverPid = (int) server.pid();
            int port = portOf(server);
            int clientPort = talk("127.0.0.1", port);
            assertEquals(0, server.waitFor(), new String(server.getErrorStream().readAllBytes()));

            TcpEvent accept = withStates.only(e -> e.type().equals(TcpEvent.ACCEPT) && e.localPort() == port, "accept");
            // The server side's handshake ran in the client's softirq: still the server's (its listener's).
            TcpEvent established = withStates.only(e -> e.type().equals(TcpEvent.STATE) && e.localPort() == port
                    && e.remotePort() == clientPort && e.state().equals("ESTABLISHED"), "passive ESTABLISHED");
            assertEquals(serverPid, established.header().pid(), "the listener's process, not the client's softirq");
            assertEquals(accept.connectionId(), established.connectionId(), "one connection, one id");
            // The server closes first: the client goes ESTABLISHED -> CLOSE_WAIT (in softirq), still the JVM's.
            TcpEvent closeWait = withStates.only(e -> e.type().equals(TcpEvent.STATE) && e.localPort() == clientPort
                    && e.remotePort() == port && e.oldState().equals("ESTABLISHED"), "the client's CLOSE_WAIT");
            assertEquals("CLOSE_WAIT", closeWait.state());
            assertEquals(SELF, closeWait.header().pid());
            // The records that are always sent are the same with and without them.
            TcpEvent serverClose = withStates.only(e -> e.type().equals(TcpEvent.CLOSE) && e.localPort() == port
                    && e.remotePort() == clientPort, "server close");
            assertEquals(1000 + 1, serverClose.bytesSent());
            standard.only(e -> e.type().equals(TcpEvent.CLOSE) && e.localPort() == port && e.remotePort() == clientPort,
                    "server close without state changes");
            assertEquals(List.of(), standard.all(e -> e.type().equals(TcpEvent.STATE) && e.localPort() == port),
                    "the object with the defaults sent none");
        }
    }

    @Test
    void theMapsHaveTheConfiguredSizes() throws Exception {
        assertEquals(4 << 20, standard.context.object().map("apiary_events").maxEntries(), "ring_kb's default, 4 MiB");
        assertEquals(65536, standard.context.object().map("tcp_owners").maxEntries());
        assertEquals(8192, standard.context.object().map("tcp_listeners").maxEntries());
        try (Started sized = new Started(Map.of("ring_kb", 300, "sockets", 2048, "listeners", 256))) {
            assertEquals(512 * 1024, sized.context.object().map("apiary_events").maxEntries(), "300 KiB rounded up to 512");
            assertEquals(2048, sized.context.object().map("tcp_owners").maxEntries());
            assertEquals(256, sized.context.object().map("tcp_listeners").maxEntries());
        }
    }

    @Test
    void aRefusedConnectReportsItsError() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = probe.getLocalPort();
        } // closed: nothing listens there now
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port));
            throw new AssertionError("connected to a closed port");
        } catch (ConnectException expected) {
            // refused
        }
        TcpEvent connect = standard.only(e -> e.type().equals(TcpEvent.CONNECT) && e.remotePort() == port, "refused connect");
        assertEquals("ECONNREFUSED", connect.error());
        assertTrue(connect.failed());
        assertEquals("CLOSE", connect.state());
        assertEquals(SELF, connect.header().pid());
        TcpEvent close = standard.only(e -> e.type().equals(TcpEvent.CLOSE) && e.remotePort() == port, "close of the refused socket");
        assertEquals(connect.connectionId(), close.connectionId());
    }

    /** 127.0.0.1 for ::ffff:127.0.0.1. */
    private static String plain(String address) {
        return address.startsWith("::ffff:") ? address.substring(7) : address;
    }
}
