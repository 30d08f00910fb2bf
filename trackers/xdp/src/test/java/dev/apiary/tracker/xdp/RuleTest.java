package dev.apiary.tracker.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class RuleTest {

    @Test
    void rulesReadAndPrintInTheirCanonicalWords() {
        assertEquals("icmp from 172.17.0.3", Rule.parse("icmp from 172.17.0.3").toString());
        assertEquals("tcp dport 80", Rule.parse("  TCP   dport 80 ").toString());
        assertEquals("udp to 10.0.0.0/8 port 53", Rule.parse("udp to 10.0.0.0/8 port 53").toString());
        assertEquals("from fd00:0:0:0:0:0:0:0/8", Rule.parse("from fd00::/8").toString());
        assertEquals("ip", Rule.parse("ip").toString());
        assertEquals(Rule.parse("icmp from 172.17.0.3"), Rule.parse("icmp  from 172.17.0.3/32"));
    }

    @Test
    void malformedRulesSayWhatIsWrongInOneLine() {
        assertEquals("malformed rule '': it is empty", bad(""));
        assertEquals("malformed rule 'icmp port 80': ports need tcp, udp or no protocol", bad("icmp port 80"));
        assertEquals("malformed rule 'tcp from': 'from' needs a value", bad("tcp from"));
        assertEquals("malformed rule 'tcp dport 70000': '70000' is not a port (1 to 65535)", bad("tcp dport 70000"));
        assertEquals("malformed rule 'from example.com': 'example.com' is not an IPv4 or IPv6 address or prefix"
                + " (like 172.17.0.3, 10.0.0.0/8, fd00::/8)", bad("from example.com"));
        assertEquals("malformed rule 'from 10.0.0.1 to ::1': it mixes IPv4 and IPv6", bad("from 10.0.0.1 to ::1"));
        assertEquals("malformed rule 'from 10.0.0.0/33': '10.0.0.0/33' is not an IPv4 or IPv6 address or prefix"
                + " (like 172.17.0.3, 10.0.0.0/8, fd00::/8)", bad("from 10.0.0.0/33"));
        assertEquals(true, bad("sctp").startsWith("malformed rule 'sctp': unknown word 'sctp'"));
    }

    @Test
    void anIpv4PrefixIsEncodedMappedWithItsMask() {
        ByteBuffer b = ByteBuffer.wrap(Rule.parse("udp from 10.1.2.3/8 dport 53").encode(7, 9)).order(ByteOrder.nativeOrder());
        assertEquals(Rule.SIZE, b.capacity());
        assertEquals(1, b.getInt(0));
        assertEquals(7, b.getInt(4));
        assertEquals(9, b.getInt(8));
        assertEquals(17, b.get(13));
        assertEquals(4, b.get(14));
        assertEquals(1, b.get(15));
        assertEquals(53, b.getShort(18));
        byte[] src = new byte[16], mask = new byte[16];
        b.get(24, src).get(40, mask);
        assertEquals("00000000000000000000ffff0a000000", java.util.HexFormat.of().formatHex(src));
        assertEquals("ffffffffffffffffffffffffff000000", java.util.HexFormat.of().formatHex(mask));
    }

    private static String bad(String rule) {
        return assertThrows(IllegalArgumentException.class, () -> Rule.parse(rule)).getMessage();
    }
}
