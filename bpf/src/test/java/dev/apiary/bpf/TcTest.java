package dev.apiary.bpf;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A TC program on both tcx hooks of one end of a veth pair whose other end lives in a
 * network namespace the test makes: a ping from the namespace arrives (ingress) and is
 * answered (egress); two programs share a hook; closing a link takes its program off.
 */
@RequiresBpf
class TcTest {

    private static TestVeth veth;

    @BeforeAll
    static void createNamespaceAndVethPair() throws Exception {
        veth = TestVeth.create("t", 78);
    }

    @AfterAll
    static void deleteThem() throws Exception {
        if (veth != null) {
            veth.close();
        }
    }

    @Test
    void countsBothDirectionsOfAPingSharesTheHookAndDetachesOnClose() throws Exception {
        int ifindex = NetInterfaces.index(veth.hostIf());
        try (BpfObject obj = TestObjects.open("apiary_test"); BpfObject other = TestObjects.open("apiary_test")) {
            obj.load();
            other.load();
            BpfMap counts = obj.map("tc_counts");
            BpfLink in = obj.program("test_tc").attachTc(ifindex, TcHook.INGRESS);
            BpfLink out = obj.program("test_tc").attachTc(ifindex, TcHook.EGRESS);
            // tcx keeps a list per hook: a second program goes after ours and replaces nothing.
            BpfLink second = other.program("test_tc").attachTc(ifindex, TcHook.INGRESS);
            assertEquals(obj.program("test_tc").id(), KernelBpfObjects.programsOfLinks().get(in.id()));
            assertEquals(other.program("test_tc").id(), KernelBpfObjects.programsOfLinks().get(second.id()));
            assertTrue(in.target().contains("ingress of ifindex " + ifindex), in.target());

            veth.pingHostFromPeer(5);

            assertTrue(counts.sumPerCpu(Bytes.u32(0)) >= 5, "the 5 echo requests arrive: " + counts.sumPerCpu(Bytes.u32(0)));
            assertTrue(counts.sumPerCpu(Bytes.u32(1)) >= 5, "the 5 echo replies leave: " + counts.sumPerCpu(Bytes.u32(1)));
            assertTrue(other.map("tc_counts").sumPerCpu(Bytes.u32(0)) >= 5, "ours passes them on to the next program");

            int inId = in.id();
            in.close();
            out.close();
            assertFalse(KernelBpfObjects.programsOfLinks().containsKey(inId), "detached on close");
            long before = counts.sumPerCpu(Bytes.u32(0));
            veth.pingHostFromPeer(2);
            assertEquals(before, counts.sumPerCpu(Bytes.u32(0)), "nothing counted after detach");
            assertTrue(second.isOpen());
        }
    }

    @Test
    void anInterfaceThatDoesNotExistIsRefused() {
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            obj.load();
            BpfException e = assertThrows(BpfException.class,
                    () -> obj.program("test_tc").attachTc(999_999, TcHook.EGRESS));
            assertTrue(e.getMessage().contains("egress of ifindex 999999"), e.getMessage());
        }
    }
}
