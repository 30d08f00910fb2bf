package dev.apiary.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher without a daemon: what a runtime on a machine without Docker goes through at every start. */
class DockerWatcherTest {

    @Test
    void noDaemonIsToldAtTheFirstFailedAttemptSoThatTheStartNeedNotWaitForAList(@TempDir Path folder) throws Exception {
        List<Boolean> told = new CopyOnWriteArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        DockerWatcher.Listener listener = new DockerWatcher.Listener() {
            @Override
            public void seen(DockerContainer container) {
            }

            @Override
            public void stopped(String id) {
            }

            @Override
            public void destroyed(String id) {
            }

            @Override
            public void listed(Set<String> ids) {
            }

            @Override
            public void connected(boolean connected) {
                told.add(connected);
                first.countDown();
            }
        };
        DockerWatcher watcher = new DockerWatcher(URI.create("unix://" + folder.resolve("no-docker.sock")), listener);
        try {
            watcher.start();
            assertTrue(first.await(2, TimeUnit.SECONDS), "the first failed attempt was not told");
            assertEquals(List.of(false), told);
            // Later failed attempts change nothing and are not told again.
            Thread.sleep(DockerWatcher.FIRST_RETRY.toMillis() * 2);
            assertEquals(List.of(false), told);
        } finally {
            watcher.close();
        }
    }
    @Test
    void theListNamesEveryContainerBeforeTheInspectsAnswer(@TempDir Path folder) throws Exception {
        BlockingQueue<String> told = new LinkedBlockingQueue<>();
        DockerWatcher.Listener listener = new DockerWatcher.Listener() {
            @Override
            public void seen(DockerContainer c) {
                told.add("seen " + c.name() + " " + c.image() + " " + c.labels() + " pid " + c.pid() + (c.inspected() ? " inspected" : ""));
            }

            @Override
            public void stopped(String id) {
                told.add("stopped " + id);
            }

            @Override
            public void destroyed(String id) {
                told.add("destroyed " + id);
            }

            @Override
            public void listed(Set<String> ids) {
                told.add("listed " + ids);
            }

            @Override
            public void connected(boolean connected) {
                told.add("connected " + connected);
            }
        };
        try (FakeDockerDaemon daemon = new FakeDockerDaemon(folder.resolve("docker.sock"));
                DockerWatcher watcher = new DockerWatcher(URI.create("unix://" + folder.resolve("docker.sock")), listener)) {
            watcher.start();
            assertEquals("connected true", told.poll(10, TimeUnit.SECONDS));
            // Named from the list while its inspect has not answered: events held for the name can go.
            assertEquals("seen web busybox:local {app=shop} pid 0", told.poll(10, TimeUnit.SECONDS));
            assertNull(told.poll(300, TimeUnit.MILLISECONDS), "nothing more until the inspect answers");
            assertTrue(daemon.requests().stream().anyMatch(r -> r.endsWith("/containers/" + FakeDockerDaemon.ID + "/json")),
                    "the inspect was asked: " + daemon.requests());
            daemon.answerInspects();
            assertEquals("seen web busybox:local {app=shop} pid 4242 inspected", told.poll(10, TimeUnit.SECONDS));
            assertEquals("listed [" + FakeDockerDaemon.ID + "]", told.poll(10, TimeUnit.SECONDS));
        }
    }
}
