package dev.apiary.tracker.xdp;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/**
 * A packet sampled by {@code xdp:capture}. Its header carries only the time and the CPU (XDP
 * runs in no task: pid, comm, cgroup and namespaces are 0); its container is the
 * attachment's.
 */
public record PacketEvent(EventHeader header, ContainerRef container,
        @FieldDoc("the interface it arrived on (the host end of a veth pair, or eth0 inside the container)") String iface,
        @FieldDoc("sent or received by the container; in, for a host interface attached by name") String direction,
        @FieldDoc("the packet's length in bytes") int length,
        @FieldDoc("bytes captured from its start (at most 128)") int capturedLength,
        @FieldDoc("tcp, udp, icmp, icmpv6, arp, ipv4, ipv6, or the EtherType") String protocol,
        @FieldDoc("source address, or empty") String src,
        @FieldDoc("destination address, or empty") String dst,
        @FieldDoc("source port, 0 when none") int sport,
        @FieldDoc("destination port, 0 when none") int dport,
        @FieldDoc("the rest of the headers in one line: TCP flags and sequence numbers, ICMP type, ...") String info,
        @FieldDoc("the captured bytes in hex") String data) implements Event {

    /** The captured bytes. */
    byte[] bytes() {
        return java.util.HexFormat.of().parseHex(data);
    }
}
