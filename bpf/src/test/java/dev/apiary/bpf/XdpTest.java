package dev.apiary.bpf;

import static dev.apiary.bpf.Commands.run;
import static dev.apiary.bpf.Commands.sh;

import dev.apiary.bpf.testing.RequiresBpf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * XDP on one end of a veth pair whose other end lives in a network namespace the test
 * makes: a ping from the namespace crosses the program, which counts it.
 */
@RequiresBpf
class XdpTest {

    private static final String NS = "apiary-net-" + TestObjects.SELF;
    private static final String HOST_IF = "apx" + TestObjects.SELF % 100000;
    private static final String PEER_IF = "apy" + TestObjects.SELF % 100000;
    private static final String HOST_ADDR = "10.253.77.1";
    private static final String PEER_ADDR = "10.253.77.2";

    @BeforeAll
    static void createNamespaceAndVethPair() throws Exception {
        cleanup();
        sh("ip", "netns", "add", NS);
        sh("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", PEER_IF);
        sh("ip", "link", "set", PEER_IF, "netns", NS);
        sh("ip", "addr", "add", HOST_ADDR + "/30", "dev", HOST_IF);
        sh("ip", "link", "set", HOST_IF, "up");
        sh("ip", "-n", NS, "addr", "add", PEER_ADDR + "/30", "dev", PEER_IF);
        sh("ip", "-n", NS, "link", "set", PEER_IF, "up");
        sh("ip", "-n", NS, "link", "set", "lo", "up");
    }

    @AfterAll
    static void cleanup() throws Exception {
        run("ip", "link", "del", HOST_IF);
        run("ip", "netns", "del", NS);
    }

    @Test
    void countsThePacketsOfAPingAndDetachesOnClose() throws Exception {
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            obj.load();
            BpfMap counts = obj.map("xdp_counts");
            BpfLink link = obj.program("test_xdp").attachXdp(HOST_IF, XdpMode.GENERIC);
            String attached = sh("ip", "link", "show", HOST_IF);
            assertTrue(attached.contains("xdpgeneric") && attached.contains("prog/xdp"), "attached in generic mode: " + attached);

            sh("ip", "netns", "exec", NS, "ping", "-c", "5", "-i", "0.2", "-W", "2", HOST_ADDR);

            long packets = counts.sumPerCpu(Bytes.u32(0));
            long bytes = counts.sumPerCpu(Bytes.u32(1));
            assertTrue(packets >= 5, "at least the 5 echo requests (plus ARP): " + packets);
            assertTrue(bytes >= 5 * 98, "an echo request is 98 bytes on the wire: " + bytes);

            BpfException busy = assertThrows(BpfException.class,
                    () -> obj.program("test_xdp").attachXdp(HOST_IF, XdpMode.GENERIC));
            assertEquals(16, busy.errno(), "an attached program is never replaced: " + busy.getMessage());

            link.close();
            String shown = sh("ip", "link", "show", HOST_IF);
            assertFalse(shown.contains("prog/xdp"), "detached on close: " + shown);
            sh("ip", "netns", "exec", NS, "ping", "-c", "2", "-i", "0.2", "-W", "2", HOST_ADDR);
            assertEquals(packets, counts.sumPerCpu(Bytes.u32(0)), "nothing counted after detach");
        }
    }

    @Test
    void anInterfaceThatDoesNotExistIsNamedInTheError() {
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            obj.load();
            BpfException e = assertThrows(BpfException.class,
                    () -> obj.program("test_xdp").attachXdp("nosuchif0", XdpMode.NATIVE));
            assertTrue(e.getMessage().contains("nosuchif0"), e.getMessage());
        }
    }
}
