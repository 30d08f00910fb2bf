package dev.apiary.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The runtime's end of the control socket: accepts connections and runs each one's command
 * in a Gogo session of its own, streaming its output back (see {@link ControlProtocol}).
 *
 * <p>Lives outside OSGi, in the launcher, so it works whatever the bundles do. One platform
 * thread accepts; each connection gets a virtual thread for the command and one that watches
 * for the client going away (then the command is cancelled). Thread-safe. The creator closes
 * it; closing stops accepting, closes the listening socket and deletes the socket file.
 */
public final class ControlServer implements AutoCloseable {

    /** Makes the execution a connection's command runs in; may wait until the runtime is up. */
    @FunctionalInterface
    public interface Executions {
        /**
         * @throws ApiaryException when the runtime cannot run commands (it failed or stops); the
         *                         message goes to the client's stderr
         */
        CommandExecution create(OutputStream out, OutputStream err) throws ApiaryException, InterruptedException;
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Executions executions;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread acceptor;

    private ControlServer(Path path, ServerSocketChannel server, Executions executions) {
        this.path = path;
        this.server = server;
        this.executions = executions;
        this.acceptor = Thread.ofPlatform().daemon().name("apiary-control-accept").unstarted(this::acceptLoop);
    }

    /**
     * Listens at {@code path}: prepares its private folder (0700), replaces a stale socket file
     * left by a runtime that died, binds, makes the socket 0600, and starts accepting.
     *
     * @throws RuntimeAlreadyRunningException when a live runtime answers at {@code path}
     * @throws IOException                    when the folder is not private, the path is another kind of file, or binding fails
     */
    public static ControlServer listen(Path path, Executions executions) throws IOException, RuntimeAlreadyRunningException {
        Path socket = path.toAbsolutePath();
        ControlSocket.preparePrivateDirectory(socket.getParent());
        if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!ControlSocket.isSocketFile(socket)) {
                throw new IOException(socket + " exists and is not a socket; not replacing it: remove it or choose another "
                        + ControlSocket.ENVIRONMENT);
            }
            if (ControlSocket.answers(socket)) {
                throw new RuntimeAlreadyRunningException(socket);
            }
            Files.delete(socket); // stale: its runtime died without removing it
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
        ControlServer controlServer = new ControlServer(socket, server, executions);
        controlServer.acceptor.start();
        return controlServer;
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        int connections = 0;
        while (!closed.get()) {
            SocketChannel connection;
            try {
                connection = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed.get()) {
                    System.err.println("apiary: control socket accept failed: " + e.getMessage());
                }
                return;
            }
            Thread.ofVirtual().name("apiary-control-" + (++connections)).start(() -> serve(connection));
        }
    }

    private void serve(SocketChannel connection) {
        try (connection) {
            ControlProtocol.Frame request;
            try {
                request = ControlProtocol.read(connection);
            } catch (IOException e) {
                refuse(connection, "bad request: " + e.getMessage());
                return;
            }
            if (request == null) {
                return; // a probe (ControlSocket.answers) or a client that gave up
            }
            if (request.type() != ControlProtocol.COMMAND) {
                refuse(connection, "expected a command frame 'C', got " + ControlProtocol.describe(request.type()));
                return;
            }
            String commandLine = new String(request.payload(), StandardCharsets.UTF_8);
            run(connection, commandLine);
        } catch (IOException e) {
            // the client went away while we answered; nothing left to tell it
        }
    }

    private void run(SocketChannel connection, String commandLine) throws IOException {
        CommandExecution[] execution = new CommandExecution[1];
        AtomicBoolean finished = new AtomicBoolean();
        Runnable cancel = () -> {
            CommandExecution current;
            synchronized (execution) {
                current = execution[0];
            }
            if (current != null && !finished.get()) {
                current.cancel();
            }
        };
        ControlProtocol.FrameWriter writer = new ControlProtocol.FrameWriter(connection, cancel);
        OutputStream out = writer.stream(ControlProtocol.STDOUT);
        OutputStream err = writer.stream(ControlProtocol.STDERR);
        CommandExecution created;
        try {
            created = executions.create(out, err);
        } catch (ApiaryException e) {
            new PrintStream(err, true, StandardCharsets.UTF_8).println(e.getMessage());
            writer.exit(ControlProtocol.PROTOCOL_ERROR);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (execution) {
            execution[0] = created;
        }
        Thread watcher = Thread.ofVirtual().name(Thread.currentThread().getName() + "-watch").start(() -> {
            // The client sends nothing after its command: end of stream means it went away.
            ByteBuffer sink = ByteBuffer.allocate(256);
            try {
                while (connection.read(sink) >= 0) {
                    sink.clear();
                }
            } catch (IOException e) {
                // closed by us when the command finished, or reset by the client
            }
            cancel.run();
        });
        int status = created.run(commandLine);
        finished.set(true);
        if (!writer.broken()) {
            writer.exit(status);
        }
        watcher.interrupt();
    }

    private static void refuse(SocketChannel connection, String message) {
        try {
            ControlProtocol.write(connection, ControlProtocol.STDERR, (message + "\n").getBytes(StandardCharsets.UTF_8));
            ControlProtocol.writeExit(connection, ControlProtocol.PROTOCOL_ERROR);
        } catch (IOException e) {
            // the peer is gone
        }
    }

    /** Stops accepting and removes the socket file. Commands already running finish on their own. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing a listening socket: nothing to report
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            System.err.println("apiary: cannot remove the control socket " + path + ": " + e.getMessage());
        }
    }
}
