package dev.apiary.launcher;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * The framing of the control socket (docs/control-socket.md). Every message is a frame:
 * <pre>
 * type    1 byte   'C' command (client to server), 'O' stdout, 'E' stderr, 'X' exit (server to client)
 * length  4 bytes  big-endian, unsigned, at most {@link #MAX_PAYLOAD}
 * payload length bytes: UTF-8 text for 'C'; raw bytes for 'O' and 'E'; a 4-byte big-endian status for 'X'
 * </pre>
 * A connection carries one command: the client sends one 'C' frame and keeps its side open;
 * the server answers with any number of 'O' and 'E' frames, then one 'X', and closes. A client
 * that closes its side before the 'X' cancels the command. Stateless; the methods are safe from
 * any thread as long as one channel is read by one thread and written by one thread at a time.
 */
public final class ControlProtocol {

    public static final byte COMMAND = 'C';
    public static final byte STDOUT = 'O';
    public static final byte STDERR = 'E';
    public static final byte EXIT = 'X';

    /** The largest payload either side accepts (1 MiB); larger output is split into several frames. */
    public static final int MAX_PAYLOAD = 1 << 20;

    /** Exit status the server sends for a request it cannot take (a bad frame, no runtime). */
    public static final int PROTOCOL_ERROR = 2;

    private ControlProtocol() {
    }

    /** One frame. */
    public record Frame(byte type, byte[] payload) {
        public Frame {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        /** The status of an {@link #EXIT} frame. */
        public int status() {
            if (type != EXIT || payload.length != 4) {
                throw new IllegalStateException("not an exit frame: " + describe(type) + " of " + payload.length + " bytes");
            }
            return ByteBuffer.wrap(payload).getInt();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && f.type == type && Arrays.equals(f.payload, payload);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return describe(type) + "[" + payload.length + " bytes]";
        }
    }

    /** Writes one frame (the whole of it, or throws). */
    public static void write(WritableByteChannel channel, byte type, byte[] payload, int offset, int length) throws IOException {
        if (length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("frame payload of " + length + " bytes exceeds " + MAX_PAYLOAD);
        }
        ByteBuffer header = ByteBuffer.allocate(5).put(type).putInt(length).flip();
        ByteBuffer body = ByteBuffer.wrap(payload, offset, length);
        while (header.hasRemaining()) {
            channel.write(header);
        }
        while (body.hasRemaining()) {
            channel.write(body);
        }
    }

    public static void write(WritableByteChannel channel, byte type, byte[] payload) throws IOException {
        write(channel, type, payload, 0, payload.length);
    }

    public static void writeExit(WritableByteChannel channel, int status) throws IOException {
        write(channel, EXIT, ByteBuffer.allocate(4).putInt(status).array());
    }

    /**
     * Reads one frame.
     *
     * @return the frame, or null when the peer closed the connection before a new frame began
     * @throws EOFException when the connection ends inside a frame
     * @throws IOException  when the length exceeds {@link #MAX_PAYLOAD} (a peer speaking another protocol)
     */
    public static Frame read(ReadableByteChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5);
        if (!fill(channel, header, true)) {
            return null;
        }
        header.flip();
        byte type = header.get();
        int length = header.getInt();
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IOException("frame " + describe(type) + " announces " + Integer.toUnsignedString(length)
                    + " bytes, more than the " + MAX_PAYLOAD + " allowed: the peer does not speak the Apiary control protocol");
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        fill(channel, payload, false);
        return new Frame(type, payload.array());
    }

    private static boolean fill(ReadableByteChannel channel, ByteBuffer buffer, boolean endAllowedAtStart) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (endAllowedAtStart && buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("connection closed inside a frame (" + buffer.position() + " of " + buffer.capacity() + " bytes)");
            }
        }
        return true;
    }

    static String describe(byte type) {
        return type >= 0x20 && type < 0x7f ? "'" + (char) type + "'" : String.format("0x%02x", type);
    }

    /**
     * The server's side of one connection's output: stdout and stderr streams that send each
     * write as frames, and the final exit frame. Thread-safe: frames never interleave. After a
     * write fails (the client went away) every later write fails at once and {@link #broken} is set.
     */
    static final class FrameWriter {
        private final WritableByteChannel channel;
        private final Runnable onBroken;
        private boolean broken;

        /** @param onBroken run once, on the thread whose write found the connection gone */
        FrameWriter(WritableByteChannel channel, Runnable onBroken) {
            this.channel = channel;
            this.onBroken = onBroken;
        }

        OutputStream stream(byte type) {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    java.util.Objects.checkFromIndexSize(off, len, b.length);
                    while (len > 0) {
                        int chunk = Math.min(len, MAX_PAYLOAD);
                        send(type, b, off, chunk);
                        off += chunk;
                        len -= chunk;
                    }
                }
            };
        }

        void exit(int status) throws IOException {
            send(EXIT, ByteBuffer.allocate(4).putInt(status).array(), 0, 4);
        }

        synchronized boolean broken() {
            return broken;
        }

        private void send(byte type, byte[] b, int off, int len) throws IOException {
            IOException failure;
            synchronized (this) {
                if (broken) {
                    throw new IOException("the control client has disconnected");
                }
                try {
                    ControlProtocol.write(channel, type, b, off, len);
                    return;
                } catch (IOException e) {
                    broken = true;
                    failure = e;
                }
            }
            onBroken.run(); // outside the lock: it cancels the command, which may still be writing
            throw failure;
        }
    }
}
