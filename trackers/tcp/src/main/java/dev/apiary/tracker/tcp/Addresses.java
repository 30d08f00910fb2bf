package dev.apiary.tracker.tcp;

import java.net.InetAddress;

/** IP addresses as text: dotted IPv4, RFC 5952 IPv6 (shortest form, lower case). */
final class Addresses {

    static final int AF_INET = 2, AF_INET6 = 10;

    private Addresses() {
    }

    /** "ipv4" or "ipv6". */
    static String familyName(int family) {
        return family == AF_INET6 ? "ipv6" : "ipv4";
    }

    /**
     * The address in {@code bytes} (network order): the first 4 for AF_INET, all 16 for AF_INET6.
     *
     * @throws IllegalArgumentException for too few bytes or another family
     */
    static String format(int family, byte[] bytes) {
        int length = switch (family) {
            case AF_INET -> 4;
            case AF_INET6 -> 16;
            default -> throw new IllegalArgumentException("not an IP address family: " + family);
        };
        if (bytes.length < length) {
            throw new IllegalArgumentException(bytes.length + " bytes for an address of " + length);
        }
        byte[] raw = java.util.Arrays.copyOf(bytes, length);
        if (length == 4) {
            return (raw[0] & 0xff) + "." + (raw[1] & 0xff) + "." + (raw[2] & 0xff) + "." + (raw[3] & 0xff);
        }
        return ipv6(raw);
    }

    /** RFC 5952: the longest run (2+) of zero groups becomes "::"; IPv4-mapped ones end in dotted form. */
    private static String ipv6(byte[] raw) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((raw[2 * i] & 0xff) << 8) | (raw[2 * i + 1] & 0xff);
        }
        if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0 && groups[5] == 0xffff) {
            return "::ffff:" + (raw[12] & 0xff) + "." + (raw[13] & 0xff) + "." + (raw[14] & 0xff) + "." + (raw[15] & 0xff);
        }
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /** The same text for an address a user typed or /proc gave, so both compare equal. */
    static String normalize(String address) {
        try {
            byte[] raw = InetAddress.ofLiteral(address).getAddress();
            return format(raw.length == 4 ? AF_INET : AF_INET6, raw);
        } catch (IllegalArgumentException e) {
            return address;
        }
    }

    /** "1.2.3.4:80", "[::1]:80". */
    static String endpoint(String address, int port) {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
