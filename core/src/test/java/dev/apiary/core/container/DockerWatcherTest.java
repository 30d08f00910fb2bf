package dev.apiary.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher without a daemon (what a runtime on a machine without Docker goes through at every start) and with a fake one. */
class DockerWatcherTest {

    /** Everything the watcher tells, one line each, in order. */
    private static final class Told implements DockerWatcher.Listener {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        @Override
        public void seen(DockerContainer c) {
            lines.add("seen " + c.name() + " " + c.image() + " " + c.labels() + " pid " + c.pid() + (c.inspected() ? " inspected" : ""));
        }

        @Override
        public void stopped(String id, int exitCode, java.time.Instant at) {
            lines.add("stopped " + id + " " + exitCode);
        }

        @Override
        public void destroyed(String id) {
            lines.add("destroyed " + id);
        }

        @Override
        public void listed(Set<String> ids) {
            lines.add("listed " + ids);
        }

        @Override
        public void connected(boolean connected) {
            lines.add("connected " + connected);
        }

        String next(long millis) throws InterruptedException {
            return lines.poll(millis, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void noDaemonIsToldAtTheFirstFailedAttemptSoThatTheStartNeedNotWaitForAList(@TempDir Path folder) throws Exception {
        Told told = new Told();
        try (DockerWatcher watcher = new DockerWatcher(URI.create("unix://" + folder.resolve("no-docker.sock")), told)) {
            watcher.start();
            assertEquals("connected false", told.next(2000), "the first failed attempt was not told");
            // Later failed attempts change nothing and are not told again.
            Thread.sleep(DockerWatcher.FIRST_RETRY.toMillis() * 2);
            assertTrue(told.lines.isEmpty(), told.lines.toString());
        }
    }

    @Test
    void theListNamesEveryContainerBeforeTheInspectsAnswer(@TempDir Path folder) throws Exception {
        Told told = new Told();
        try (FakeDockerDaemon daemon = new FakeDockerDaemon(folder.resolve("docker.sock"));
                DockerWatcher watcher = new DockerWatcher(URI.create("unix://" + folder.resolve("docker.sock")), told)) {
            watcher.start();
            assertEquals("connected true", told.next(10_000));
            // Named from the list while its inspect has not answered: events held for the name can go.
            assertEquals("seen web busybox:local {app=shop} pid 0", told.next(10_000));
            assertNull(told.next(300), "nothing more until the inspect answers");
            assertTrue(daemon.requests().stream().anyMatch(r -> r.endsWith("/containers/" + FakeDockerDaemon.ID + "/json")),
                    "the inspect was asked: " + daemon.requests());
            daemon.answerInspects();
            assertEquals("seen web busybox:local {app=shop} pid 4242 inspected", told.next(10_000));
            assertEquals("listed [" + FakeDockerDaemon.ID + "]", told.next(10_000));
        }
    }
}
