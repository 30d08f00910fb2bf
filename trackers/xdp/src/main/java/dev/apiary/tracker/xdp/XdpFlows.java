package dev.apiary.tracker.xdp;

import dev.apiary.sdk.Json;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flows of one attachment as xdp:flows shows them: those with the most bytes, as a table
 * (whose cells the kit escapes) or as JSON. Holds nothing.
 */
final class XdpFlows {

    private XdpFlows() {
    }

    /** The {@code n} flows of {@code a}'s ends with the most bytes, most first, out of {@code all}. */
    static List<XdpKernel.Flow> top(Attachment a, List<XdpKernel.Flow> all, int n) {
        List<XdpKernel.Flow> flows = new ArrayList<>(all.stream()
                .filter(f -> a.ports().stream().anyMatch(p -> p.side() == f.side() && p.ifindex() == f.ifindex())).toList());
        flows.sort(Comparator.comparingLong(XdpKernel.Flow::bytes).reversed());
        return flows.subList(0, Math.min(n, flows.size()));
    }

    /** A row per flow, under a header. */
    static Table table(Attachment a, List<XdpKernel.Flow> flows) {
        Table t = Table.of(Column.left("DIR"), Column.left("PROTO"), Column.left("SRC"), Column.right("SPORT"),
                Column.left("DST"), Column.right("DPORT"), Column.right("PACKETS"), Column.right("BYTES"));
        for (XdpKernel.Flow f : flows) {
            Map<String, Object> m = map(a, f);
            t.row(m.get("direction"), m.get("protocol"), m.get("src"), m.get("sport"), m.get("dst"), m.get("dport"),
                    f.packets(), f.bytes());
        }
        return t;
    }

    /** The attachment's target ({@link Targets#json}) with its {@code flows}. */
    static String json(Attachment a, List<XdpKernel.Flow> flows) {
        List<Object> list = new ArrayList<>();
        for (XdpKernel.Flow f : flows) {
            list.add(map(a, f));
        }
        Map<String, Object> m = Targets.json(a);
        m.put("flows", list);
        return Json.of(m);
    }

    /** One flow's fields; ICMP's type (kept in the source port) as {@code icmp_type}, and no ports. */
    private static Map<String, Object> map(Attachment a, XdpKernel.Flow f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("direction", f.side().direction(a.isContainer()));
        m.put("protocol", XdpStats.protocolName(f.proto()));
        m.put("src", PacketHeaders.address(f.src()));
        m.put("sport", f.proto() == 1 || f.proto() == 58 ? 0 : f.sport());
        m.put("dst", PacketHeaders.address(f.dst()));
        m.put("dport", f.dport());
        if (f.proto() == 1 || f.proto() == 58) {
            m.put("icmp_type", f.sport() >> 8);
        }
        m.put("packets", f.packets());
        m.put("bytes", f.bytes());
        return m;
    }
}
