package dev.apiary.tracker.xdp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Decodes the ring records of xdp.bpf.c (struct xdp_packet) into {@link PacketEvent}s,
 * naming the container and interface from the tracker's attachments. Holds no per-record
 * state.
 */
final class XdpDecoder implements EventDecoder {

    /** Who owns an interface end, for a record. */
    interface Owners {
        /** The attachment with an end on (side, ifindex), if any. */
        Optional<Attachment> owner(Side side, int ifindex);
    }

    private final Owners owners;

    XdpDecoder(Owners owners) {
        this.owners = owners;
    }

    /** Every struct of xdp.bpf.c, which core checks against the object's BTF before it loads. */
    @Override
    public List<MemoryLayout> layouts() {
        return XdpLayouts.ALL;
    }

    @Override
    public Event decode(MemorySegment record, EventHeader header, ContainerRef ignored) {
        if (record.byteSize() < XdpLayouts.PACKET.byteSize()) {
            throw new IllegalArgumentException("xdp record of " + record.byteSize() + " bytes, expected "
                    + XdpLayouts.PACKET.byteSize());
        }
        int ifindex = record.get(JAVA_INT_UNALIGNED, XdpLayouts.PACKET_IFINDEX);
        Side side = Side.of(record.get(JAVA_INT_UNALIGNED, XdpLayouts.PACKET_SIDE));
        int len = record.get(JAVA_INT_UNALIGNED, XdpLayouts.PACKET_LEN);
        int cap = Math.min(XdpLayouts.SNAP, Math.max(0, record.get(JAVA_INT_UNALIGNED, XdpLayouts.PACKET_CAP_LEN)));
        byte[] data = record.asSlice(XdpLayouts.PACKET_DATA, cap).toArray(JAVA_BYTE);
        Optional<Attachment> owner = owners.owner(side, ifindex);
        ContainerRef container = owner.map(Attachment::container).orElse(ContainerRef.HOST);
        String iface = owner.flatMap(a -> a.ports().stream().filter(p -> p.side() == side && p.ifindex() == ifindex)
                .map(Port::name).findFirst()).orElse("ifindex " + ifindex);
        String direction = side.direction(owner.map(Attachment::isContainer).orElse(false));
        PacketHeaders h = PacketHeaders.decode(data);
        return new PacketEvent(header, container == null ? ContainerRef.HOST : container, iface, direction, len, cap,
                h.protocol(), h.src(), h.dst(), h.sport(), h.dport(), h.info(), HexFormat.of().formatHex(data));
    }
}
