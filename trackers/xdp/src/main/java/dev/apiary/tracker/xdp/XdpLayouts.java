package dev.apiary.tracker.xdp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.apiary.bpf.EventHeader;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * The C structs of xdp.bpf.c as Java sees them; core checks every one ({@link #ALL}, the
 * decoder's layouts) against the object's BTF when the tracker loads, so a change on one side
 * only fails loudly. Stateless.
 */
final class XdpLayouts {

    /** XDP_CLASSES, XDP_SNAP, XDP_RULES in xdp.bpf.c. */
    static final int CLASSES = 8, SNAP = 128, RULES = 32;

    static final StructLayout ATT_KEY = MemoryLayout.structLayout(
            JAVA_INT.withName("ifindex"), JAVA_INT.withName("side")).withName("xdp_att_key");

    static final StructLayout COUNTS = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(CLASSES, JAVA_LONG).withName("packets"),
            MemoryLayout.sequenceLayout(CLASSES, JAVA_LONG).withName("bytes")).withName("xdp_counts");

    static final StructLayout FLOW_KEY = MemoryLayout.structLayout(
            JAVA_INT.withName("ifindex"), JAVA_BYTE.withName("side"), JAVA_BYTE.withName("proto"),
            JAVA_SHORT.withName("sport"), JAVA_SHORT.withName("dport"), JAVA_SHORT.withName("family"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("saddr"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("daddr")).withName("xdp_flow_key");

    static final StructLayout FLOW_VALUE = MemoryLayout.structLayout(
            JAVA_LONG.withName("packets"), JAVA_LONG.withName("bytes"))
            .withName("xdp_flow_value");

    static final StructLayout RULE = MemoryLayout.structLayout(
            JAVA_INT.withName("active"), JAVA_INT.withName("host_ifindex"), JAVA_INT.withName("inner_ifindex"),
            JAVA_BYTE.withName("any_side"), JAVA_BYTE.withName("proto"), JAVA_BYTE.withName("family"),
            JAVA_BYTE.withName("has_addr"), JAVA_SHORT.withName("sport"), JAVA_SHORT.withName("dport"),
            JAVA_SHORT.withName("port"), JAVA_SHORT.withName("unused"),
            MemoryLayout.sequenceLayout(4, JAVA_INT).withName("src"),
            MemoryLayout.sequenceLayout(4, JAVA_INT).withName("src_mask"),
            MemoryLayout.sequenceLayout(4, JAVA_INT).withName("dst"),
            MemoryLayout.sequenceLayout(4, JAVA_INT).withName("dst_mask")).withName("xdp_rule");

    static final StructLayout CTL = MemoryLayout.structLayout(
            JAVA_INT.withName("rule_slots"), JAVA_INT.withName("capture_on"), JAVA_INT.withName("capture_rate"),
            JAVA_INT.withName("unused"), RULE.withName("capture")).withName("xdp_ctl");

    static final StructLayout PACKET = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_INT.withName("ifindex"), JAVA_INT.withName("side"), JAVA_INT.withName("len"), JAVA_INT.withName("cap_len"),
            MemoryLayout.sequenceLayout(SNAP, JAVA_BYTE).withName("data")).withName("xdp_packet");

    static final long PACKET_IFINDEX = offset(PACKET, "ifindex"), PACKET_SIDE = offset(PACKET, "side"),
            PACKET_LEN = offset(PACKET, "len"), PACKET_CAP_LEN = offset(PACKET, "cap_len"),
            PACKET_DATA = offset(PACKET, "data");

    private XdpLayouts() {
    }

    /** Every struct above, each named as in xdp.bpf.c: what the decoder declares for core to check. */
    static final List<MemoryLayout> ALL = List.of(ATT_KEY, COUNTS, FLOW_KEY, FLOW_VALUE, RULE, CTL, PACKET);

    static {
        if (RULE.byteSize() != Rule.SIZE) {
            throw new AssertionError("Rule.SIZE " + Rule.SIZE + " is not sizeof(struct xdp_rule) " + RULE.byteSize());
        }
    }

    private static long offset(StructLayout l, String field) {
        return l.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
