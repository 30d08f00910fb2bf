package dev.apiary.tracker.xdp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A packet match, for drop rules and capture filters: a protocol, source and destination
 * addresses or prefixes, ports. Written as words:
 *
 * <pre>
 *   RULE   := [PROTO] TERM...          at least one word
 *   PROTO  := tcp | udp | icmp | ip | ip6 | any
 *   TERM   := from ADDR[/LEN] | to ADDR[/LEN] | sport PORT | dport PORT | port PORT
 * </pre>
 *
 * {@code icmp} means ICMP or ICMPv6; {@code ip} only IPv4 packets, {@code ip6} only IPv6;
 * an address of one family limits the rule to that family. {@code port} matches either
 * port. Ports need {@code tcp}, {@code udp}, or no protocol (then TCP or UDP). Examples:
 * {@code icmp from 172.17.0.3}, {@code tcp dport 80}, {@code udp to 10.0.0.0/8 port 53},
 * {@code from fd00::/8}. Immutable.
 *
 * @param proto   IP protocol number; {@link #ICMP_ANY} for ICMP or ICMPv6; 0 for any
 * @param family  4, 6, or 0 for any
 * @param src     source address (4 or 16 bytes), or null
 * @param srcBits source prefix length
 * @param dst     destination address, or null
 * @param dstBits destination prefix length
 * @param sport   source port, 0 for any
 * @param dport   destination port, 0 for any
 * @param port    either port, 0 for any
 */
record Rule(int proto, int family, byte[] src, int srcBits, byte[] dst, int dstBits, int sport, int dport, int port) {

    static final int TCP = 6, UDP = 17, ICMP_ANY = 255;
    /** sizeof(struct xdp_rule) */
    static final int SIZE = 88;

    /** The empty rule, which matches every packet: a capture without --filter. */
    static final Rule ANY = new Rule(0, 0, null, 0, null, 0, 0, 0, 0);

    /**
     * Reads a rule from its words.
     *
     * @throws IllegalArgumentException with one line saying what is wrong
     */
    static Rule parse(String text) {
        List<String> words = new ArrayList<>(List.of(text.trim().toLowerCase(Locale.ROOT).split("\\s+")));
        words.removeIf(String::isEmpty);
        if (words.isEmpty()) {
            throw bad(text, "it is empty");
        }
        int proto = 0, family = 0, sport = 0, dport = 0, port = 0, srcBits = 0, dstBits = 0;
        byte[] src = null, dst = null;
        int i = 0;
        switch (words.get(0)) {
            case "tcp" -> proto = TCP;
            case "udp" -> proto = UDP;
            case "icmp" -> proto = ICMP_ANY;
            case "ip" -> family = 4;
            case "ip6" -> family = 6;
            case "any" -> { }
            default -> i = -1;
        }
        i++;
        while (i < words.size()) {
            String word = words.get(i);
            if (i + 1 >= words.size()) {
                throw bad(text, isKeyword(word) ? "'" + word + "' needs a value" : "unknown word '" + word + "'");
            }
            String value = words.get(i + 1);
            switch (word) {
                case "from", "to" -> {
                    Prefix p = Prefix.parse(value).orElseThrow(() -> bad(text, "'" + value
                            + "' is not an IPv4 or IPv6 address or prefix (like 172.17.0.3, 10.0.0.0/8, fd00::/8)"));
                    int f = p.address().length == 4 ? 4 : 6;
                    if (family != 0 && family != f) {
                        throw bad(text, "it mixes IPv4 and IPv6");
                    }
                    family = f;
                    if (word.equals("from")) {
                        if (src != null) {
                            throw bad(text, "'from' is given twice");
                        }
                        src = p.address();
                        srcBits = p.bits();
                    } else {
                        if (dst != null) {
                            throw bad(text, "'to' is given twice");
                        }
                        dst = p.address();
                        dstBits = p.bits();
                    }
                }
                case "sport", "dport", "port" -> {
                    int n = parsePort(text, value);
                    if (word.equals("sport")) {
                        sport = n;
                    } else if (word.equals("dport")) {
                        dport = n;
                    } else {
                        port = n;
                    }
                }
                default -> throw bad(text, "unknown word '" + word + "' (a rule is [tcp|udp|icmp|ip|ip6|any]"
                        + " [from ADDR[/LEN]] [to ADDR[/LEN]] [sport N] [dport N] [port N])");
            }
            i += 2;
        }
        if ((sport | dport | port) != 0 && proto != 0 && proto != TCP && proto != UDP) {
            throw bad(text, "ports need tcp, udp or no protocol");
        }
        return new Rule(proto, family, src, srcBits, dst, dstBits, sport, dport, port);
    }

    private static boolean isKeyword(String w) {
        return List.of("from", "to", "sport", "dport", "port").contains(w);
    }

    private static int parsePort(String text, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw bad(text, "'" + value + "' is not a port (1 to 65535)");
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("malformed rule '" + text.trim() + "': " + why);
    }

    /** An address and prefix length; IPv4 addresses stay 4 bytes. */
    record Prefix(byte[] address, int bits) {

        static Optional<Prefix> parse(String word) {
            String addr = word;
            int bits = -1;
            int slash = word.indexOf('/');
            if (slash >= 0) {
                addr = word.substring(0, slash);
                try {
                    bits = Integer.parseInt(word.substring(slash + 1));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
            // Literal addresses only: never a name lookup.
            if (!addr.matches("[0-9a-f:.]+") || (!addr.contains(":") && !addr.matches("\\d+\\.\\d+\\.\\d+\\.\\d+"))) {
                return Optional.empty();
            }
            InetAddress a;
            try {
                a = InetAddress.ofLiteral(addr);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            byte[] bytes = a.getAddress();
            int max = a instanceof Inet4Address ? 32 : 128;
            if (bits == -1) {
                bits = max;
            }
            if (bits < 0 || bits > max) {
                return Optional.empty();
            }
            return Optional.of(new Prefix(bytes, bits));
        }
    }

    /**
     * The rule as struct xdp_rule for the attachment ends given.
     *
     * @param hostIndex  the host-side interface it applies on, 0 for none
     * @param innerIndex the container-side interface, 0 for none
     */
    byte[] encode(int hostIndex, int innerIndex) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        b.putInt(1).putInt(hostIndex).putInt(innerIndex);
        b.put((byte) 0).put((byte) proto).put((byte) family).put((byte) ((src != null ? 1 : 0) | (dst != null ? 2 : 0)));
        b.putShort((short) sport).putShort((short) dport).putShort((short) port).putShort((short) 0);
        putAddress(b, src, srcBits);
        putAddress(b, dst, dstBits);
        return b.array();
    }

    /** An address as 16 bytes (IPv4 mapped into ::ffff:0:0/96) followed by its 16-byte mask. */
    private static void putAddress(ByteBuffer b, byte[] address, int bits) {
        byte[] addr16 = new byte[16];
        byte[] mask = new byte[16];
        if (address != null) {
            int maskBits = bits;
            if (address.length == 4) {
                addr16[10] = (byte) 0xff;
                addr16[11] = (byte) 0xff;
                System.arraycopy(address, 0, addr16, 12, 4);
                maskBits += 96;
            } else {
                System.arraycopy(address, 0, addr16, 0, 16);
            }
            for (int i = 0; i < 16; i++) {
                int on = Math.max(0, Math.min(8, maskBits - 8 * i));
                mask[i] = (byte) (0xff << (8 - on));
                addr16[i] &= mask[i];
            }
        }
        b.put(addr16).put(mask);
    }

    /** The rule in its canonical words: what xdp:rules shows and xdp:allow accepts. */
    @Override
    public String toString() {
        List<String> w = new ArrayList<>();
        switch (proto) {
            case TCP -> w.add("tcp");
            case UDP -> w.add("udp");
            case ICMP_ANY -> w.add("icmp");
            default -> {
                if (family == 4 && src == null && dst == null) {
                    w.add("ip");
                } else if (family == 6 && src == null && dst == null) {
                    w.add("ip6");
                }
            }
        }
        if (src != null) {
            w.add("from " + prefix(src, srcBits));
        }
        if (dst != null) {
            w.add("to " + prefix(dst, dstBits));
        }
        if (sport != 0) {
            w.add("sport " + sport);
        }
        if (dport != 0) {
            w.add("dport " + dport);
        }
        if (port != 0) {
            w.add("port " + port);
        }
        return w.isEmpty() ? "any" : String.join(" ", w);
    }

    private static String prefix(byte[] address, int bits) {
        try {
            String a = InetAddress.getByAddress(address).getHostAddress();
            return bits == address.length * 8 ? a : a + "/" + bits;
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rule r && r.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
