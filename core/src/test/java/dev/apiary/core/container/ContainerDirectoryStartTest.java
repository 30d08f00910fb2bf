package dev.apiary.core.container;

import static dev.apiary.core.container.CgroupTree.HEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.ContainerRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start does not wait for the Docker daemon: with a daemon socket that accepts but never
 * answers, {@link ContainerDirectory#start()} returns, containers' events are held for their names
 * until the daemon's first answer, and once it is known to be away they no longer are.
 */
class ContainerDirectoryStartTest {

    private static final ContainerRef UNNAMED = ContainerRef.unnamed(HEX, CgroupPaths.DOCKER);

    @TempDir
    Path root;

    @Test
    void theStartDoesNotWaitForDockerButEventsWaitForItsFirstAnswer() throws Exception {
        Path socket = root.resolve("silent.sock");
        try (ServerSocketChannel silent = silentDaemon(socket);
                ContainerDirectory directory = directoryAsking(socket)) {
            CompletableFuture<SocketChannel> accepted = CompletableFuture.supplyAsync(() -> accept(silent));
            directory.start();
            var ping = accepted.get(10, TimeUnit.SECONDS); // connected, asked, and start() had returned
            assertTrue(directory.awaitingMetadata(UNNAMED), "no answer yet: the name may be coming");
            // The daemon goes away unanswered (its HTTP client would retry on the same socket): the
            // ping fails, which is the first answer ("away"). From then on events are not held.
            silent.close();
            Files.delete(socket);
            ping.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (directory.awaitingMetadata(UNNAMED) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(directory.awaitingMetadata(UNNAMED), "with the daemon away, events are not held");
            assertFalse(directory.dockerConnected());
            assertTrue(directory.dockerStatus().startsWith("not reachable, retrying: "), directory.dockerStatus());
            long before = System.nanoTime();
            directory.awaitFirstList();
            assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(2), "the first answer came: no wait");
            assertEquals(0, directory.list().size());
        }
    }

    @Test
    void eventsAreHeldWhileTheDaemonHasNotAnsweredAFirstTime() throws Exception {
        Path socket = root.resolve("silent.sock");
        try (ServerSocketChannel silent = silentDaemon(socket);
                ContainerDirectory directory = directoryAsking(socket)) {
            directory.start();
            try (var ping = silent.accept()) { // asked, not answered
                assertTrue(directory.awaitingMetadata(UNNAMED), "no answer yet: the name may be coming");
                assertFalse(directory.awaitingMetadata(ContainerRef.HOST));
            }
        }
    }

    /** A daemon socket that accepts connections and never answers them. */
    private static ServerSocketChannel silentDaemon(Path socket) throws IOException {
        ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        silent.bind(UnixDomainSocketAddress.of(socket));
        return silent;
    }

    private ContainerDirectory directoryAsking(Path socket) {
        var settings = new ContainerDirectory.Settings(root, URI.create("unix://" + socket), WatchScope.CONTAINERS,
                Duration.ofHours(1), Duration.ofMinutes(2));
        return new ContainerDirectory(settings, null, System::nanoTime);
    }

    private static SocketChannel accept(ServerSocketChannel silent) {
        try {
            return silent.accept(); // the watcher's ping, never answered
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
