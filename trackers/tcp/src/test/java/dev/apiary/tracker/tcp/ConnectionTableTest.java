package dev.apiary.tracker.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {

    private static TcpEvent event(int type, long id, int pid, String state, String error) {
        EventHeader h = new EventHeader(5_000_000_000L, 1, pid, pid, 1, 0, 0, 1, 2, 3, type, 0, "nc");
        return new TcpEvent(h, ContainerRef.HOST, id, "ipv4", "10.0.0.2", 7777, "10.0.0.3", 40000, "SYN_RECV", state,
                0, 0, 1_000_000_000L, error);
    }

    @Test
    void aConnectionLivesFromItsFirstRecordToItsCloseAndTheAcceptorOwnsIt() {
        ConnectionTable table = new ConnectionTable();
        table.apply(event(TcpDecoder.STATE, 7, 100, "ESTABLISHED", "")); // handshake, owned by the listener
        table.apply(event(TcpDecoder.ACCEPT, 7, 200, "ESTABLISHED", ""));
        assertEquals(1, table.size());
        Connection c = table.snapshot().get(0);
        assertEquals(200, c.pid(), "the accepting process");
        assertEquals(4_000_000_000L, c.birthNs());
        table.apply(event(TcpDecoder.CLOSE, 7, 200, "CLOSE", ""));
        assertEquals(0, table.size());
    }

    @Test
    void aFailedConnectLeavesNothing() {
        ConnectionTable table = new ConnectionTable();
        table.apply(event(TcpDecoder.STATE, 9, 100, "SYN_SENT", ""));
        table.apply(event(TcpDecoder.CONNECT, 9, 100, "CLOSE", "ECONNREFUSED"));
        assertEquals(0, table.size());
    }
}
