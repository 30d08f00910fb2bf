package dev.apiary.tracker.xdp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The headers of a captured packet (Ethernet, then ARP, IPv4 or IPv6, then TCP, UDP, ICMP or
 * ICMPv6), decoded from its first bytes. What is cut off or unknown is left empty.
 *
 * @param protocol "tcp", "udp", "icmp", "icmpv6", "arp", "ipv4", "ipv6", or the EtherType in hex
 * @param src      source IP address (ARP: sender's), or ""
 * @param dst      destination IP address (ARP: target's), or ""
 * @param sport    source port, 0 when none
 * @param dport    destination port, 0 when none
 * @param info     one line as tcpdump would say it: "echo request id 7 seq 1", "[S.] seq 1 ack 2 win 64240", ...
 */
record PacketHeaders(String protocol, String src, String dst, int sport, int dport, String info) {

    static PacketHeaders decode(byte[] p) {
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.BIG_ENDIAN);
        if (p.length < 14) {
            return new PacketHeaders("", "", "", 0, 0, "truncated Ethernet header");
        }
        int etherType = Short.toUnsignedInt(b.getShort(12));
        String macs = mac(p, 6) + " > " + mac(p, 0);
        switch (etherType) {
            case 0x0806 -> {
                if (p.length < 42) {
                    return new PacketHeaders("arp", "", "", 0, 0, macs + " truncated");
                }
                int op = Short.toUnsignedInt(b.getShort(20));
                String sender = ip(p, 28, 4), target = ip(p, 38, 4);
                String info = op == 1 ? "who-has " + target + " tell " + sender
                        : op == 2 ? sender + " is-at " + mac(p, 22) : "op " + op;
                return new PacketHeaders("arp", sender, target, 0, 0, info);
            }
            case 0x0800 -> {
                if (p.length < 34) {
                    return new PacketHeaders("ipv4", "", "", 0, 0, "truncated IPv4 header");
                }
                int ihl = (p[14] & 0x0f) * 4;
                int proto = p[23] & 0xff;
                int ttl = p[22] & 0xff;
                boolean later = (b.getShort(20) & 0x1fff) != 0;
                return l4(p, b, 14 + ihl, proto, ip(p, 26, 4), ip(p, 30, 4), later, "ttl " + ttl);
            }
            case 0x86dd -> {
                if (p.length < 54) {
                    return new PacketHeaders("ipv6", "", "", 0, 0, "truncated IPv6 header");
                }
                return l4(p, b, 54, p[20] & 0xff, ip(p, 22, 16), ip(p, 38, 16), false, "hlim " + (p[21] & 0xff));
            }
            default -> {
                return new PacketHeaders(String.format("0x%04x", etherType), "", "", 0, 0, macs);
            }
        }
    }

    private static PacketHeaders l4(byte[] p, ByteBuffer b, int at, int proto, String src, String dst, boolean fragment,
            String l3) {
        String family = dst.contains(":") ? "ipv6" : "ipv4";
        if (fragment) {
            return new PacketHeaders(family, src, dst, 0, 0, "fragment, protocol " + proto);
        }
        switch (proto) {
            case 6 -> {
                if (p.length < at + 20) {
                    return new PacketHeaders("tcp", src, dst, 0, 0, "truncated TCP header");
                }
                int flags = p[at + 13] & 0xff;
                return new PacketHeaders("tcp", src, dst, Short.toUnsignedInt(b.getShort(at)),
                        Short.toUnsignedInt(b.getShort(at + 2)),
                        "[" + tcpFlags(flags) + "] seq " + Integer.toUnsignedString(b.getInt(at + 4))
                                + ((flags & 0x10) != 0 ? " ack " + Integer.toUnsignedString(b.getInt(at + 8)) : "")
                                + " win " + Short.toUnsignedInt(b.getShort(at + 14)));
            }
            case 17 -> {
                if (p.length < at + 8) {
                    return new PacketHeaders("udp", src, dst, 0, 0, "truncated UDP header");
                }
                return new PacketHeaders("udp", src, dst, Short.toUnsignedInt(b.getShort(at)),
                        Short.toUnsignedInt(b.getShort(at + 2)), "length " + (Short.toUnsignedInt(b.getShort(at + 4)) - 8));
            }
            case 1, 58 -> {
                String name = proto == 1 ? "icmp" : "icmpv6";
                if (p.length < at + 8) {
                    return new PacketHeaders(name, src, dst, 0, 0, "truncated");
                }
                int type = p[at] & 0xff, code = p[at + 1] & 0xff;
                String what = icmp(proto, type, code);
                if ((proto == 1 && (type == 0 || type == 8)) || (proto == 58 && (type == 128 || type == 129))) {
                    what += " id " + Short.toUnsignedInt(b.getShort(at + 4)) + " seq " + Short.toUnsignedInt(b.getShort(at + 6));
                }
                return new PacketHeaders(name, src, dst, 0, 0, what);
            }
            default -> {
                return new PacketHeaders(family, src, dst, 0, 0, "protocol " + proto + ", " + l3);
            }
        }
    }

    private static String icmp(int proto, int type, int code) {
        if (proto == 1) {
            return switch (type) {
                case 0 -> "echo reply";
                case 8 -> "echo request";
                case 3 -> "unreachable code " + code;
                case 11 -> "time exceeded";
                default -> "type " + type + " code " + code;
            };
        }
        return switch (type) {
            case 128 -> "echo request";
            case 129 -> "echo reply";
            case 133 -> "router solicitation";
            case 134 -> "router advertisement";
            case 135 -> "neighbor solicitation";
            case 136 -> "neighbor advertisement";
            default -> "type " + type + " code " + code;
        };
    }

    static String tcpFlags(int f) {
        StringBuilder s = new StringBuilder();
        if ((f & 0x02) != 0) s.append('S');
        if ((f & 0x01) != 0) s.append('F');
        if ((f & 0x04) != 0) s.append('R');
        if ((f & 0x08) != 0) s.append('P');
        if ((f & 0x20) != 0) s.append('U');
        if ((f & 0x10) != 0) s.append('.');
        return s.toString();
    }

    static String ip(byte[] p, int at, int length) {
        byte[] a = new byte[length];
        System.arraycopy(p, at, a, 0, length);
        return address(a);
    }

    /** An address of 4 or 16 bytes; an IPv4-mapped IPv6 address is written as IPv4. */
    static String address(byte[] a) {
        try {
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String mac(byte[] p, int at) {
        return HexFormat.ofDelimiter(":").formatHex(p, at, at + 6);
    }
}
