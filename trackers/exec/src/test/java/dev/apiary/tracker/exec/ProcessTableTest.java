package dev.apiary.tracker.exec;

import static dev.apiary.tracker.exec.Fixtures.SECOND;
import static dev.apiary.tracker.exec.Fixtures.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.ContainerRef;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessTableTest {

    private final ProcessTable table = new ProcessTable();

    @Test
    void anExecAddsOrReplacesTheProcessAndAnExitRemovesIt() {
        table.seed(List.of(Fixtures.process(WEB, 10, 1, 0, 5 * SECOND, "/bin/sh", "-c", "run")));
        table.apply(Fixtures.exec(WEB, 10, 1, 5 * SECOND, "/usr/sbin/nginx", "-g", "daemon off;"));
        table.apply(Fixtures.exec(WEB, 11, 10, 6 * SECOND, "/usr/sbin/nginx", "worker"));

        List<ProcessInfo> now = table.snapshot();
        assertEquals(List.of(10, 11), now.stream().map(ProcessInfo::pid).toList());
        assertEquals("/usr/sbin/nginx -g daemon off;", now.get(0).commandLine(), "the exec replaced the seeded sh");
        assertEquals(WEB, now.get(0).container());

        table.apply(Fixtures.exit(WEB, 11, 6 * SECOND, 3 * SECOND, 0));
        assertEquals(List.of(10), table.snapshot().stream().map(ProcessInfo::pid).toList());
    }

    @Test
    void aFailedExecChangesNothingButMakesAnUnknownCallerKnown() {
        table.seed(List.of(Fixtures.process(WEB, 10, 1, 0, 5 * SECOND, "/bin/sh")));
        table.apply(Fixtures.failedExec(WEB, 10, 1, "sh", 5 * SECOND, "/nope"));
        table.apply(Fixtures.failedExec(WEB, 12, 10, "sh", 7 * SECOND, "/nope"));

        List<ProcessInfo> now = table.snapshot();
        assertEquals("/bin/sh", now.get(0).commandLine());
        assertEquals(12, now.get(1).pid());
        assertEquals("[sh]", now.get(1).commandLine(), "known by its comm only");
    }

    @Test
    void anExitOfAnEarlierProcessWithTheSamePidLeavesTheNewOne() {
        table.seed(List.of());
        table.apply(Fixtures.exec(WEB, 20, 1, 100 * SECOND, "/bin/new"));
        table.apply(Fixtures.exit(WEB, 20, 50 * SECOND, SECOND, 0)); // the pid's previous owner
        assertEquals(1, table.size());
    }

    @Test
    void eventsBeforeTheSeedWinOverIt() {
        // Attached first, seeded later: these arrived while /proc was being read.
        table.apply(Fixtures.exec(WEB, 30, 1, 10 * SECOND, "/bin/after-exec"));
        table.apply(Fixtures.exit(WEB, 31, 11 * SECOND, SECOND, 0));
        table.seed(List.of(
                Fixtures.process(WEB, 30, 1, 0, 10 * SECOND, "/bin/before-exec"),
                Fixtures.process(WEB, 31, 1, 0, 11 * SECOND + 3_000_000, "/bin/died-meanwhile"), // /proc: 10 ms ticks
                Fixtures.process(WEB, 32, 1, 0, 12 * SECOND, "/bin/still-running")));

        List<ProcessInfo> now = table.snapshot();
        assertEquals(List.of(30, 32), now.stream().map(ProcessInfo::pid).toList());
        assertEquals("/bin/after-exec", now.get(0).commandLine());

        // Once seeded, exits are applied directly and no longer remembered.
        table.apply(Fixtures.exit(WEB, 32, 12 * SECOND, SECOND, 0));
        assertEquals(List.of(30), table.snapshot().stream().map(ProcessInfo::pid).toList());
    }

    @Test
    void concurrentUpdatesAndSnapshotsStayConsistent() throws Exception {
        table.seed(List.of());
        int writers = 4, perWriter = 5000;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        CountDownLatch go = new CountDownLatch(1);
        for (int w = 0; w < writers; w++) {
            int base = 100_000 * (w + 1);
            pool.submit(() -> {
                go.await();
                for (int i = 0; i < perWriter; i++) {
                    table.apply(Fixtures.exec(ContainerRef.HOST, base + i, 1, i * SECOND, "/bin/x"));
                    if (i % 2 == 0) {
                        table.apply(Fixtures.exit(ContainerRef.HOST, base + i, i * SECOND, SECOND, 0));
                    }
                }
                return null;
            });
        }
        pool.submit(() -> {
            go.await();
            for (int i = 0; i < 50; i++) {
                ProcessTree.of(table.snapshot()).text(0);
            }
            return null;
        });
        go.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(writers * perWriter / 2, table.size(), "every odd pid stays, every even one exited");
    }
}
