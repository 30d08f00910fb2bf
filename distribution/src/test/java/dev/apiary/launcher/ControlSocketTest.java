package dev.apiary.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control protocol over real Unix sockets, against {@link FakeGogo}. */
class ControlSocketTest {

    @TempDir
    Path temp;
    Path folder;
    Path socket;
    FakeGogo gogo;

    @BeforeEach
    void privateFolder() throws IOException {
        folder = temp.resolve("run");
        socket = folder.resolve("apiary.sock");
        gogo = new FakeGogo();
    }

    private ControlServer listen() throws Exception {
        GogoProcessor processor = gogo.processor();
        return ControlServer.listen(socket, (out, err) -> new CommandExecution(processor, out, err));
    }

    private record Answer(int status, String out, String err) {
    }

    private Answer ask(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ControlClient.run(socket, command, out, err);
        return new Answer(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void framesRoundTripThroughASocketPair() throws Exception {
        Files.createDirectories(folder);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                 SocketChannel peer = server.accept()) {
                byte[] big = new byte[ControlProtocol.MAX_PAYLOAD];
                big[big.length - 1] = 7;
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        ControlProtocol.write(client, ControlProtocol.COMMAND, "lb -s".getBytes(StandardCharsets.UTF_8));
                        ControlProtocol.write(client, ControlProtocol.STDOUT, big);
                        ControlProtocol.write(client, ControlProtocol.STDERR, new byte[0]);
                        ControlProtocol.writeExit(client, -3);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                assertEquals(new ControlProtocol.Frame(ControlProtocol.COMMAND, "lb -s".getBytes(StandardCharsets.UTF_8)),
                        ControlProtocol.read(peer));
                assertArrayEquals(big, ControlProtocol.read(peer).payload());
                assertEquals(0, ControlProtocol.read(peer).payload().length);
                assertEquals(-3, ControlProtocol.read(peer).status());
                writer.join();
                client.close();
                assertNull(ControlProtocol.read(peer), "end of stream between frames");
            }
        }
    }

    @Test
    void truncatedAndOversizedFramesAreErrors() throws Exception {
        Files.createDirectories(folder);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                 SocketChannel peer = server.accept()) {
                client.write(ByteBuffer.allocate(5).put(ControlProtocol.STDOUT).putInt(ControlProtocol.MAX_PAYLOAD + 1).flip());
                IOException oversized = assertThrows(IOException.class, () -> ControlProtocol.read(peer));
                assertTrue(oversized.getMessage().contains("does not speak the Apiary control protocol"), oversized.getMessage());
            }
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                 SocketChannel peer = server.accept()) {
                client.write(ByteBuffer.allocate(7).put(ControlProtocol.STDOUT).putInt(10).put((byte) 1).put((byte) 2).flip());
                client.close();
                assertThrows(EOFException.class, () -> ControlProtocol.read(peer));
            }
        }
    }

    @Test
    void commandOutputErrorsAndStatusReachTheClient() throws Exception {
        try (ControlServer server = listen()) {
            assertEquals(new Answer(0, "hello world\n", ""), ask("say hello world"));
            assertEquals(new Answer(0, "formatted:42\n", ""), ask("answer"));
            assertEquals(new Answer(0, "", "careful\n"), ask("warn careful"));
            assertEquals(new Answer(1, "", "it broke\n"), ask("fail it broke"));
            assertEquals(new Answer(1, "", "Command not found: nosuch\n"), ask("nosuch"));
            assertEquals(socket, server.path());
        }
    }

    @Test
    void concurrentClientsGetTheirOwnOutput() throws Exception {
        try (ControlServer server = listen()) {
            var results = new java.util.concurrent.ConcurrentHashMap<Integer, Answer>();
            var threads = new java.util.ArrayList<Thread>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        results.put(n, ask("say client " + n));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            for (int i = 0; i < 20; i++) {
                assertEquals(new Answer(0, "client " + i + "\n", ""), results.get(i));
            }
        }
    }

    @Test
    void aClientThatGoesAwayCancelsItsCommand() throws Exception {
        try (ControlServer server = listen();
             SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ControlProtocol.write(client, ControlProtocol.COMMAND, "block".getBytes(StandardCharsets.UTF_8));
            assertEquals("blocking\n", new String(ControlProtocol.read(client).payload(), StandardCharsets.UTF_8));
            assertTrue(gogo.blocking.await(5, TimeUnit.SECONDS));
            client.close(); // what the JVM does when Ctrl-C ends `apiary -c`
            assertTrue(gogo.interrupted.await(5, TimeUnit.SECONDS), "the command was not interrupted after the client left");
        }
    }

    @Test
    void socketIsPrivateAndRemovedOnClose() throws Exception {
        try (ControlServer server = listen()) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
            assertTrue(ControlSocket.answers(socket));
        }
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        assertFalse(ControlSocket.answers(socket));
        assertThrows(NoRuntimeException.class, () -> ask("say nobody"));
    }

    @Test
    void staleSocketIsReplacedAndALiveOneIsNot() throws Exception {
        Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // a runtime that died: its socket file is left, nobody listens
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(socket));
        dead.close();
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        assertThrows(NoRuntimeException.class, () -> ask("say stale"));
        try (ControlServer server = listen()) {
            assertEquals(new Answer(0, "fresh\n", ""), ask("say fresh"));
            RuntimeAlreadyRunningException second = assertThrows(RuntimeAlreadyRunningException.class, this::listen);
            assertTrue(second.getMessage().contains("already running"), second.getMessage());
            assertEquals(new Answer(0, "still here\n", ""), ask("say still here"), "the refused second server must not remove the socket");
        }
    }

    @Test
    void aFolderOthersCanEnterIsRefused() throws Exception {
        Files.createDirectories(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException refused = assertThrows(IOException.class, this::listen);
        assertTrue(refused.getMessage().contains("mode 0755") && refused.getMessage().contains("mode 0700"), refused.getMessage());
        assertFalse(Files.exists(socket));
    }

    @Test
    void aFileThatIsNotASocketIsNotReplaced() throws Exception {
        Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(socket, "precious");
        IOException refused = assertThrows(IOException.class, this::listen);
        assertTrue(refused.getMessage().contains("is not a socket"), refused.getMessage());
        assertEquals("precious", Files.readString(socket));
    }

    @Test
    void aRequestThatIsNotACommandIsRefused() throws Exception {
        try (ControlServer server = listen();
             SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ControlProtocol.write(client, ControlProtocol.STDOUT, new byte[] {1});
            ControlProtocol.Frame message = ControlProtocol.read(client);
            assertEquals(ControlProtocol.STDERR, message.type());
            assertTrue(new String(message.payload(), StandardCharsets.UTF_8).contains("expected a command frame 'C', got 'O'"));
            assertEquals(ControlProtocol.PROTOCOL_ERROR, ControlProtocol.read(client).status());
        }
    }
}
