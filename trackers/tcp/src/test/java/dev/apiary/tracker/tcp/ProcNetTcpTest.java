package dev.apiary.tracker.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ProcNetTcpTest {

    @Test
    void anIpv4ListenerAndConnection() {
        ProcNetTcp.Socket l = ProcNetTcp.parse(
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0 100 0 0 10 0",
                Addresses.AF_INET);
        assertEquals(new ProcNetTcp.Socket("ipv4", "127.0.0.1", 8080, "0.0.0.0", 0, TcpState.LISTEN, 0, 12345), l);
        ProcNetTcp.Socket c = ProcNetTcp.parse(
                "   1: 020011AC:1E61 030011AC:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 777 1",
                Addresses.AF_INET);
        assertEquals(new ProcNetTcp.Socket("ipv4", "172.17.0.2", 7777, "172.17.0.3", 54000, TcpState.ESTABLISHED, 1000, 777), c);
    }

    @Test
    void ipv6LoopbackAndIpv4Mapped() {
        ProcNetTcp.Socket s = ProcNetTcp.parse("   0: 00000000000000000000000001000000:2328 00000000000000000000000001000000:BEBE"
                + " 06 00000000:00000000 03:0000176F 00000000     0        0 0 3 0", Addresses.AF_INET6);
        assertEquals("::1", s.localAddress());
        assertEquals(9000, s.localPort());
        assertEquals(48830, s.remotePort());
        assertEquals(TcpState.TIME_WAIT, s.state());
        ProcNetTcp.Socket m = ProcNetTcp.parse("   0: 0000000000000000FFFF0000020011AC:1E61 0000000000000000FFFF0000030011AC:D2F0"
                + " 01 00000000:00000000 00:00000000 00000000     0        0 99 1", Addresses.AF_INET6);
        assertEquals("::ffff:172.17.0.2", m.localAddress());
        assertEquals("::ffff:172.17.0.3", m.remoteAddress());
    }

    @Test
    void aMalformedLineIsSkipped() {
        assertNull(ProcNetTcp.parse("  sl  local_address rem_address   st", Addresses.AF_INET));
        assertNull(ProcNetTcp.parse("   0: XYZ:1F90 00000000:0000 0A 0 0 0 0 0 1", Addresses.AF_INET));
    }

    @Test
    void addressesAreWrittenTheWayIpAndSsWriteThem() {
        byte[] v6 = new byte[16];
        v6[0] = (byte) 0xfe;
        v6[1] = (byte) 0x80;
        v6[15] = 1;
        assertEquals("fe80::1", Addresses.format(Addresses.AF_INET6, v6));
        assertEquals("::", Addresses.format(Addresses.AF_INET6, new byte[16]));
        assertEquals("[::1]:80", Addresses.endpoint("::1", 80));
        assertEquals("10.0.0.1:22", Addresses.endpoint("10.0.0.1", 22));
    }
}
