package dev.apiary.tracker.xdp;

import dev.apiary.sdk.Json;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The counters of attachments as xdp:stats shows them: one row per attachment end. */
final class XdpStats {

    /** As C_* in xdp.bpf.c, in index order. */
    static final List<String> CLASSES = List.of("ipv4", "ipv6", "arp", "other_l3", "tcp", "udp", "icmp", "other_l4");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private XdpStats() {
    }

    /** One attachment end's counters. */
    record Row(Attachment attachment, Port port, XdpKernel.Counts counts) {
        long totalPackets() {
            return counts.packets()[0] + counts.packets()[1] + counts.packets()[2] + counts.packets()[3];
        }

        long totalBytes() {
            return counts.bytes()[0] + counts.bytes()[1] + counts.bytes()[2] + counts.bytes()[3];
        }

        String direction() {
            return port.side().direction(attachment.isContainer());
        }
    }

    /** The rows of {@code attachments}: each end that has counters. */
    static List<Row> read(XdpBackend xdp, List<Attachment> attachments) {
        List<Row> rows = new ArrayList<>();
        for (Attachment a : attachments) {
            for (Port p : a.ports()) {
                XdpKernel.Counts c = xdp.counts(p.side(), p.ifindex());
                if (c != null) {
                    rows.add(new Row(a, p, c));
                }
            }
        }
        return rows;
    }

    static String text(List<Row> rows, Instant now) {
        StringBuilder sb = new StringBuilder();
        sb.append(CLOCK.format(now)).append("  packets/bytes since attach\n");
        if (rows.isEmpty()) {
            return sb.append("nothing attached (xdp:attach CONTAINER)").toString();
        }
        Table t = Table.of(Column.left("TARGET").max(32), Column.left("DIR"), Column.left("IFACE"), Column.right("PACKETS"),
                Column.right("BYTES"), Column.right("IPV4"), Column.right("IPV6"), Column.right("ARP"), Column.right("TCP"),
                Column.right("UDP"), Column.right("ICMP"), Column.right("OTHER"));
        for (Row r : rows) {
            long[] p = r.counts().packets();
            t.row(r.attachment().target(), r.direction(), r.port().name(), r.totalPackets(), r.totalBytes(), p[0], p[1], p[2],
                    p[4], p[5], p[6], p[3] + p[7]);
        }
        sb.append(t);
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    static String json(List<Row> rows) {
        List<Object> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = Targets.json(r.attachment());
            m.put("direction", r.direction());
            m.put("iface", r.port().name());
            m.put("ifindex", r.port().ifindex());
            m.put("packets", r.totalPackets());
            m.put("bytes", r.totalBytes());
            Map<String, Object> classes = new LinkedHashMap<>();
            for (int i = 0; i < CLASSES.size(); i++) {
                classes.put(CLASSES.get(i), Map.of("packets", r.counts().packets()[i], "bytes", r.counts().bytes()[i]));
            }
            m.put("protocols", classes);
            list.add(m);
        }
        return Json.of(Map.of("attachments", list));
    }

    static String protocolName(int proto) {
        return switch (proto) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            case 58 -> "icmpv6";
            default -> Integer.toString(proto);
        };
    }
}
