package dev.apiary.tracker.tcp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the TCP sockets of one network namespace from {@code /proc/PID/net/tcp} and
 * {@code tcp6} (any process of the namespace will do): the sockets that exist now, whoever
 * opened them and whenever. Stateless; safe for concurrent use.
 */
final class ProcNetTcp {

    /**
     * One line of /proc/net/tcp{,6}.
     *
     * @param state the kernel's state number (see {@link TcpState})
     */
    record Socket(String family, String localAddress, int localPort, String remoteAddress, int remotePort, int state,
            int uid, long inode) {}

    private final Path proc;

    ProcNetTcp(Path proc) {
        this.proc = proc;
    }

    /**
     * The sockets of the network namespace process {@code pid} is in ({@code "self"} for this
     * JVM's); empty when the process is gone.
     */
    List<Socket> read(String pid) {
        List<Socket> sockets = new ArrayList<>();
        readFile(proc.resolve(pid).resolve("net/tcp"), Addresses.AF_INET, sockets);
        readFile(proc.resolve(pid).resolve("net/tcp6"), Addresses.AF_INET6, sockets);
        return sockets;
    }

    private static void readFile(Path file, int family, List<Socket> into) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException gone) {
            return; // the process exited, or IPv6 is off
        } catch (IOException e) {
            return;
        }
        for (int i = 1; i < lines.size(); i++) { // the first line names the columns
            Socket s = parse(lines.get(i), family);
            if (s != null) {
                into.add(s);
            }
        }
    }

    /**
     * "  0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0  0 12345 ..."
     * The addresses are the kernel's network-order bytes printed as host-order 32-bit words.
     * Null for a line that does not parse.
     */
    static Socket parse(String line, int family) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10) {
            return null;
        }
        try {
            String[] local = f[1].split(":"), remote = f[2].split(":");
            return new Socket(Addresses.familyName(family),
                    Addresses.format(family, address(local[0])), Integer.parseInt(local[1], 16),
                    Addresses.format(family, address(remote[0])), Integer.parseInt(remote[1], 16),
                    Integer.parseInt(f[3], 16), Integer.parseInt(f[7]), Long.parseLong(f[9]));
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    /** 8 or 32 hex digits: 32-bit words, each printed in the (little-endian) host's order. */
    private static byte[] address(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int word = 0; word < out.length / 4; word++) {
            long v = Long.parseLong(hex.substring(word * 8, word * 8 + 8), 16);
            for (int b = 0; b < 4; b++) {
                out[word * 4 + b] = (byte) (v >>> (8 * b));
            }
        }
        return out;
    }
}
