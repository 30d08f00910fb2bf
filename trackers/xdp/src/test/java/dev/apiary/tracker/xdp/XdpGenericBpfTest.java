package dev.apiary.tracker.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfLink;
import dev.apiary.bpf.XdpMode;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The packet tracker's tests with XDP in generic mode; and what only XDP does: one program per
 * interface (someone else's is never replaced), native mode, the container's own end.
 */
class XdpGenericBpfTest extends PacketTrackerBpfTest {

    @Override
    Hook hook() {
        return Hook.GENERIC;
    }

    /** {@code ip -d link} shows no XDP program on the host ends. */
    @Override
    void assertNotAttached(Attachment a) throws Exception {
        Map<String, Integer> shown = xdpPrograms();
        for (Port p : a.ports()) {
            if (p.side() == Side.HOST) {
                assertFalse(shown.containsKey(p.name()), "no XDP on " + p.name() + ": " + shown);
            }
        }
    }

    @Test
    @Order(2)
    void ipLinkShowsTheGenericProgramsWithoutFragsSupport() throws Exception {
        Attachment a = tracker.find(A).orElseThrow();
        // Generic mode takes the programs without frags support: see xdp.bpf.c.
        assertEquals(obj.program("xdp_host").id(), xdpPrograms().get(a.ports().get(0).name()));
        assertEquals(Side.INNER, a.ports().get(1).side());
        assertEquals("eth0", a.ports().get(1).name(), "the container's own end");
    }

    @Test
    @Order(6)
    void anInterfaceWithSomeoneElsesXdpProgramIsRefusedNotReplaced() throws Exception {
        String name = prefix.substring(prefix.length() - 8) + "x0";
        assertEquals(0, run("ip", "link", "add", name, "type", "veth", "peer", "name", name.replace("x0", "x1")).exit());
        run("ip", "link", "set", name, "up");
        try (BpfLink other = obj.program("xdp_inner").attachXdp(name, XdpMode.GENERIC)) {
            String why = assertThrows(IllegalStateException.class, () -> tracker.attach(name, Hook.GENERIC)).getMessage();
            assertTrue(why.contains("another XDP program is attached there"), why);
            assertTrue(other.isOpen());
            assertEquals(other.id() > 0, xdpPrograms().containsKey(name), "the other program stays");
        }
        Attachment own = tracker.attach(name, Hook.GENERIC);
        assertEquals(1, own.ports().size(), "XDP sees what comes in only");
        assertTrue(xdpPrograms().containsKey(name));
        tracker.detach(name);
        assertFalse(xdpPrograms().containsKey(name));
        assertTrue(own.ports().stream().noneMatch(p -> p.link().isOpen()));
    }

    @Test
    @Order(8)
    void nativeModeTakesTheFragsProgramsAndCounts() throws Exception {
        docker("run", "-d", "--name", C, "busybox:local", "sleep", "300");
        String ipC = docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", C);
        Attachment c = tracker.attach(C, Hook.NATIVE);
        try {
            String host = c.ports().get(0).name();
            assertEquals(obj.program("xdp_host_mb").id(), xdpPrograms().get(host), "xdp.frags program on " + host);
            assertTrue(run("ip", "link", "show", host).out().contains(" xdp "), "native (not xdpgeneric) on " + host);

            assertEquals(0, run("ping", "-c", "3", "-i", "0.2", "-W", "1", ipC).exit(), "host pings C");

            // The host's echo requests arrive on C's eth0 (received), C's replies on the host end (sent).
            assertTrue(tracker.kernel().counts(Side.INNER, c.index(Side.INNER)).packets()[6] >= 3, "ICMP received by C");
            assertTrue(tracker.kernel().counts(Side.HOST, c.index(Side.HOST)).packets()[6] >= 3, "ICMP sent by C");
        } finally {
            tracker.detach(C);
        }
        assertEquals(Map.of(), ourLinks());
    }
}
