package dev.apiary.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The client end of the control socket: sends one command line to the running runtime and
 * copies its output to the caller's streams as it arrives. Stateless; each call uses a
 * connection of its own, closed before it returns (closing early — e.g. the JVM exiting on
 * Ctrl-C — cancels the command in the runtime).
 */
public final class ControlClient {

    private ControlClient() {
    }

    /**
     * Runs {@code commandLine} in the runtime listening at {@code socket}.
     *
     * @param out receives the command's stdout, flushed after each chunk; not closed
     * @param err receives the command's stderr, flushed after each chunk; not closed
     * @return the command's exit status
     * @throws NoRuntimeException    when no runtime listens there (no socket file, or a stale one)
     * @throws AccessDeniedException when this user may not open the socket (not root)
     * @throws IOException           when the connection breaks before the exit status arrives
     */
    public static int run(Path socket, String commandLine, OutputStream out, OutputStream err)
            throws IOException, NoRuntimeException {
        Path folder = socket.toAbsolutePath().getParent();
        if (folder != null && Files.isDirectory(folder) && !Files.isExecutable(folder)) {
            throw new AccessDeniedException(socket.toString(), null,
                    "only root can talk to the running Apiary runtime (its socket folder " + folder + " is private)");
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoRuntimeException(socket);
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                if (!Files.isWritable(socket)) {
                    throw new AccessDeniedException(socket.toString(), null, "only root can talk to the running Apiary runtime");
                }
                throw new NoRuntimeException(socket); // a stale file: its runtime is gone
            }
            ControlProtocol.write(channel, ControlProtocol.COMMAND, commandLine.getBytes(StandardCharsets.UTF_8));
            while (true) {
                ControlProtocol.Frame frame = ControlProtocol.read(channel);
                if (frame == null) {
                    throw new IOException("the Apiary runtime closed the connection before the command's exit status"
                            + " (did it stop?)");
                }
                switch (frame.type()) {
                    case ControlProtocol.STDOUT -> {
                        out.write(frame.payload());
                        out.flush();
                    }
                    case ControlProtocol.STDERR -> {
                        err.write(frame.payload());
                        err.flush();
                    }
                    case ControlProtocol.EXIT -> {
                        return frame.status();
                    }
                    default -> throw new IOException("unexpected frame " + ControlProtocol.describe(frame.type())
                            + " from the runtime: client and runtime are different Apiary versions?");
                }
            }
        }
    }
}
