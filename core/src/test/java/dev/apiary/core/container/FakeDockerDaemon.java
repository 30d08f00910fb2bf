package dev.apiary.core.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Just enough of the Docker Engine API on a unix socket for {@link DockerWatcher}: {@code _ping},
 * an event stream that stays open and sends nothing, a list of one running container, and its
 * inspect, which answers only once {@link #answerInspects()} is called. HTTP/1.1 with
 * keep-alive, a thread per connection; every request's path is kept.
 */
final class FakeDockerDaemon implements AutoCloseable {

    static final String ID = "4f1c0ffee0ddba11" + "0".repeat(48);

    private final Path socket;
    private final ServerSocketChannel server;
    private final CountDownLatch inspectsMayAnswer = new CountDownLatch(1);
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    FakeDockerDaemon(Path socket) throws IOException {
        this.socket = socket;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().name("fake-dockerd").start(this::accept);
    }

    /** Lets every inspect, waiting or to come, answer. */
    void answerInspects() {
        inspectsMayAnswer.countDown();
    }

    /** The paths asked for so far, in order (query strings cut). */
    List<String> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!closed) {
            try {
                SocketChannel connection = server.accept();
                connections.add(connection);
                Thread.ofPlatform().daemon().name("fake-dockerd-connection").start(() -> serve(connection));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(SocketChannel connection) {
        try (InputStream in = Channels.newInputStream(connection); OutputStream out = Channels.newOutputStream(connection)) {
            String head;
            while ((head = readHead(in)) != null) {
                String target = head.split(" ", 3)[1];
                String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
                requests.add(path);
                if (path.endsWith("/_ping")) {
                    answer(out, "text/plain", "OK");
                } else if (path.endsWith("/events")) {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    while (!closed) {
                        Thread.sleep(50); // an event stream with nothing to tell
                    }
                    return;
                } else if (path.endsWith("/containers/json")) {
                    answer(out, "application/json", "[{\"Id\":\"" + ID + "\",\"Names\":[\"/web\"],\"Image\":\"busybox:local\","
                            + "\"Labels\":{\"app\":\"shop\"},\"State\":\"running\"}]");
                } else if (path.endsWith("/containers/" + ID + "/json")) {
                    if (!inspectsMayAnswer.await(30, TimeUnit.SECONDS)) {
                        return;
                    }
                    answer(out, "application/json", "{\"Id\":\"" + ID + "\",\"Name\":\"/web\",\"Config\":{\"Image\":\"busybox:local\","
                            + "\"Labels\":{\"app\":\"shop\"}},\"State\":{\"Running\":true,\"Pid\":4242,"
                            + "\"StartedAt\":\"2026-12-04T10:00:00.000000000Z\"}}");
                } else {
                    byte[] body = "{\"message\":\"not here\"}".getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client or the test hung up
        }
    }

    private static void answer(OutputStream out, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nApi-Version: 1.41\r\nContent-Length: " + bytes.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    /** A request's line and headers (its body, if any, is not read: the watcher sends none), or null at the end. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.US_ASCII);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        inspectsMayAnswer.countDown();
        server.close();
        for (SocketChannel c : connections) {
            c.close();
        }
        Files.deleteIfExists(socket);
    }
}
