package dev.apiary.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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
}
