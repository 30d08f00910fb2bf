package dev.apiary.tracker.xdp;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Writes packets in the classic libpcap file format (magic a1b2c3d4, version 2.4,
 * microsecond times, LINKTYPE_ETHERNET), which tcpdump, tshark and Wireshark read. Each
 * record holds the captured bytes and the packet's original length. Not thread-safe; close
 * it to flush.
 */
final class PcapWriter implements AutoCloseable {

    static final int LINKTYPE_ETHERNET = 1;

    private final OutputStream out;

    /** @param snapLength the most bytes a record holds, written in the file header */
    PcapWriter(Path file, int snapLength) throws IOException {
        out = new BufferedOutputStream(Files.newOutputStream(file));
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(snapLength)
                .putInt(LINKTYPE_ETHERNET);
        out.write(h.array());
    }

    void write(Instant time, byte[] captured, int originalLength) throws IOException {
        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) time.getEpochSecond()).putInt(time.getNano() / 1000).putInt(captured.length)
                .putInt(Math.max(originalLength, captured.length));
        out.write(r.array());
        out.write(captured);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
