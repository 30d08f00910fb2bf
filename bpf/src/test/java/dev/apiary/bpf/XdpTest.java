package dev.apiary.bpf;

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

    private static TestVeth veth;

    @BeforeAll
    static void createNamespaceAndVethPair() throws Exception {
        veth = TestVeth.create("x", 77);
    }

    @AfterAll
    static void deleteThem() throws Exception {
        if (veth != null) {
            veth.close();
        }
    }

    @Test
    void countsThePacketsOfAPingAndDetachesOnClose() throws Exception {
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            obj.load();
            BpfMap counts = obj.map("xdp_counts");
            BpfLink link = obj.program("test_xdp").attachXdp(veth.hostIf(), XdpMode.GENERIC);
            String attached = sh("ip", "link", "show", veth.hostIf());
            assertTrue(attached.contains("xdpgeneric") && attached.contains("prog/xdp"), "attached in generic mode: " + attached);

            veth.pingHostFromPeer(5);

            long packets = counts.sumPerCpu(Bytes.u32(0));
            long bytes = counts.sumPerCpu(Bytes.u32(1));
            assertTrue(packets >= 5, "at least the 5 echo requests (plus ARP): " + packets);
            assertTrue(bytes >= 5 * 98, "an echo request is 98 bytes on the wire: " + bytes);

            BpfException busy = assertThrows(BpfException.class,
                    () -> obj.program("test_xdp").attachXdp(veth.hostIf(), XdpMode.GENERIC));
            assertEquals(16, busy.errno(), "an attached program is never replaced: " + busy.getMessage());

            link.close();
            String shown = sh("ip", "link", "show", veth.hostIf());
            assertFalse(shown.contains("prog/xdp"), "detached on close: " + shown);
            veth.pingHostFromPeer(2);
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
