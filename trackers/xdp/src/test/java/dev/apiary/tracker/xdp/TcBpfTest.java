package dev.apiary.tracker.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfLink;
import dev.apiary.bpf.KernelBpfObjects;
import dev.apiary.bpf.TcHook;
import dev.apiary.bpf.XdpMode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The packet tracker's tests with its default hook, tc; and what only tc does. */
class TcBpfTest extends PacketTrackerBpfTest {

    @Override
    Hook hook() {
        return Hook.TC;
    }

    @Override
    void assertNotAttached(Attachment a) {
        for (Port p : a.ports()) {
            assertFalse(new XdpKernel(obj).registered(p.side(), p.ifindex()), "counters of " + p + " gone");
        }
    }

    @Test
    @Order(6)
    void anInterfaceKeepsSomeoneElsesXdpAndTcProgramsBesideOurs() throws Exception {
        String name = prefix.substring(prefix.length() - 8) + "x0";
        assertEquals(0, run("ip", "link", "add", name, "type", "veth", "peer", "name", name.replace("x0", "x1")).exit());
        run("ip", "link", "set", name, "up");
        int ifindex = VethPair.hostIndex(name).getAsInt();
        // Someone else's programs, as far as the tracker knows: loaded from the same object, not registered with it.
        try (BpfLink xdp = obj.program("xdp_inner").attachXdp(name, XdpMode.GENERIC);
                BpfLink tc = obj.program("tc_inner").attachTc(ifindex, TcHook.INGRESS)) {
            Attachment own = tracker.attach(name, Hook.TC);
            assertEquals(2, own.ports().size(), "in and out of one interface: " + own);
            assertEquals(own.ports().get(0).ifindex(), own.ports().get(1).ifindex());
            assertEquals("in", own.ports().get(0).side().direction(false));
            assertEquals("out", own.ports().get(1).side().direction(false));
            assertTrue(xdpPrograms().containsKey(name), "the XDP program stays");
            tracker.detach(name);
            assertTrue(xdp.isOpen() && tc.isOpen());
            assertTrue(KernelBpfObjects.programsOfLinks().containsKey(tc.id()), "the other tc program stays attached");
            assertTrue(xdpPrograms().containsKey(name));
        }
    }
}
