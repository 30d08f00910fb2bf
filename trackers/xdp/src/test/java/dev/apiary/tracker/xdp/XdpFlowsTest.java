package dev.apiary.tracker.xdp;

import static dev.apiary.tracker.xdp.XdpCommandsTest.flow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.testing.TestContainers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The top flows of one attachment (no BPF): its ends only, by bytes, cut at n; and ICMP's type in place of ports. */
class XdpFlowsTest {

    /** A container attached with XDP: its host end in the host's namespace, its eth0 in its own. */
    private final Attachment web = new Attachment(TestContainers.WEB, "", 100, 4026534000L, Hook.GENERIC,
            List.of(new Port(Side.HOST, 11, "veth3c1d2e7", null), new Port(Side.INNER, 2, "eth0", null)));

    private final XdpKernel.Flow small = flow(Side.HOST, 11, 17, "172.17.0.2", 5353, "10.0.0.1", 53, 1, 80);
    private final XdpKernel.Flow big = flow(Side.INNER, 2, 6, "172.17.0.3", 40312, "172.17.0.2", 80, 10, 9000);
    private final XdpKernel.Flow ping = flow(Side.HOST, 11, 1, "172.17.0.2", 8 << 8, "172.17.0.3", 0, 4, 392);
    private final XdpKernel.Flow others = flow(Side.HOST, 2, 6, "10.0.0.9", 1, "10.0.0.1", 2, 99, 99_999); // another's index 2
    private final XdpKernel.Flow innerOfHost = flow(Side.INNER, 11, 6, "10.0.0.9", 1, "10.0.0.1", 2, 99, 99_999);

    @Test
    void theTopFlowsAreThoseOfTheAttachmentsEndsByBytes() {
        List<XdpKernel.Flow> all = List.of(small, others, big, innerOfHost, ping);
        assertEquals(List.of(big, ping, small), XdpFlows.top(web, all, 10));
        assertEquals(List.of(big), XdpFlows.top(web, all, 1));
        assertEquals(List.of(), XdpFlows.top(web, List.of(others), 10));
    }

    @Test
    void anIcmpFlowShowsItsTypeAndNoPorts() {
        assertEquals(List.of(
                "DIR   PROTO  SRC         SPORT  DST         DPORT  PACKETS  BYTES",
                "sent  icmp   172.17.0.2      0  172.17.0.3      0        4    392"), XdpFlows.table(web, List.of(ping)).toString().lines().toList());
        String json = XdpFlows.json(web, List.of(ping));
        assertTrue(json.startsWith("{\"target\":\"web\",\"container\":{\"id\":\"" + TestContainers.WEB.id() + "\""), json);
        assertTrue(json.endsWith(",\"flows\":[{\"direction\":\"sent\",\"protocol\":\"icmp\",\"src\":\"172.17.0.2\",\"sport\":0,"
                + "\"dst\":\"172.17.0.3\",\"dport\":0,\"icmp_type\":8,\"packets\":4,\"bytes\":392}]}"), json);
    }
}
