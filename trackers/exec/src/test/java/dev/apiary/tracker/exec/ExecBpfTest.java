package dev.apiary.tracker.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tracker started as core starts it ({@link TestTrackerContext}: exec.bpf.o loaded for real,
 * no OSGi, watching everything), with records of real execs and exits decoded by
 * {@link ExecDecoder}.
 *
 * <p>The machine runs other work (exec storms included) that fills the ring too: each test
 * first drains what is left in it, and a wait drains it every 10 ms with
 * {@link TestTrackerContext#pump()}, keeping the events of this JVM's children (ppid = this
 * process): every child here is started by this JVM. Between waits the default ring (8 MiB,
 * some 75,000 records) holds far more than the machine execs meanwhile; a loss is said in the
 * failure.
 */
@RequiresBpf
class ExecBpfTest {

    private static final int SELF = (int) ProcessHandle.current().pid();

    /** Its ring and object are closed after the tests, once {@link #stop()} stopped the tracker. */
    @AutoClose
    private static final TestTrackerContext context = new TestTrackerContext(ExecTracker.NAME);
    private static final ExecTracker tracker = new ExecTracker(TestConfig.defaults(ExecTracker.Config.class));
    /** Events of this JVM's children, in the order the ring gave them. */
    private static final List<Event> children = new ArrayList<>();

    /** Where this test's events start in {@link #children}. */
    private int firstEvent;

    @BeforeAll
    static void start() throws Exception {
        context.start(tracker);
    }

    @AfterAll
    static void stop() {
        tracker.stop();
    }

    @BeforeEach
    void startAfterEarlierEvents() {
        drain();
        firstEvent = children.size();
    }

    @Test
    void aSuccessfulExecHasItsResolvedPathArgumentsAndParent() throws Exception {
        Process p = new ProcessBuilder("/bin/true", "a", "b", "c").start();
        assertEquals(0, p.waitFor());
        ExecEvent exec = onlyExec((int) p.pid(), "/bin/true");

        assertEquals(0, exec.ret());
        assertTrue(exec.succeeded());
        assertEquals(Path.of("/bin/true").toRealPath().toString(), exec.path());
        assertEquals(List.of("/bin/true", "a", "b", "c"), exec.args());
        assertFalse(exec.argsCut());
        assertFalse(exec.pathCut());
        assertFalse(exec.argsUnseen());
        assertEquals("/bin/true a b c", exec.commandLine());
        EventHeader h = exec.header();
        assertEquals(p.pid(), h.pid());
        assertEquals(h.pid(), h.tid());
        assertEquals(SELF, h.ppid());
        assertEquals(0, h.uid());
        assertEquals("true", h.comm());
        assertEquals(ExecDecoder.EXEC, h.type());
        assertEquals(ContainerRef.HOST, exec.container());
        assertEquals("exec", exec.tracker());
        assertEquals("exec", exec.type());

        ExitEvent exit = onlyExit((int) p.pid());
        assertEquals(0, exit.exitCode());
        assertEquals(0, exit.signal());
        assertEquals(exec.processStartNs(), exit.processStartNs(), "one process: one start");
        assertTrue(exit.header().tsNanos() > exec.header().tsNanos());
        assertTrue(exit.processStartNs() <= exec.header().tsNanos(), "forked before it exec'd");
    }

    @Test
    void moreThanTwentyArgumentsAreCutAndFlagged() throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/true"));
        IntStream.rangeClosed(1, 100).mapToObj(i -> "arg" + i).forEach(command::add);
        Process p = new ProcessBuilder(command).start();
        assertEquals(0, p.waitFor());
        ExecEvent exec = onlyExec((int) p.pid(), "/bin/true");

        assertEquals(ExecDecoder.MAX_ARGS, exec.args().size());
        assertEquals(command.subList(0, ExecDecoder.MAX_ARGS), exec.args());
        assertTrue(exec.argsCut());
        assertTrue(exec.commandLine().endsWith("arg19 ..."), exec.commandLine());
    }

    @Test
    void exactlyTwentyArgumentsAreNotCut() throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/true"));
        IntStream.rangeClosed(1, ExecDecoder.MAX_ARGS - 1).mapToObj(i -> "arg" + i).forEach(command::add);
        Process p = new ProcessBuilder(command).start();
        assertEquals(0, p.waitFor());
        ExecEvent exec = onlyExec((int) p.pid(), "/bin/true");
        assertEquals(command, exec.args());
        assertFalse(exec.argsCut());
    }

    @Test
    void anArgumentLongerThanTheBufferKeepsItsBeginning() throws Exception {
        String longArg = "x".repeat(3000);
        Process p = new ProcessBuilder("/bin/true", "short", longArg, "after").start();
        assertEquals(0, p.waitFor());
        ExecEvent exec = onlyExec((int) p.pid(), "/bin/true");

        assertTrue(exec.argsCut());
        assertEquals(3, exec.args().size(), "the long one is kept cut, nothing after it");
        assertEquals(List.of("/bin/true", "short"), exec.args().subList(0, 2));
        int room = ExecDecoder.ARGS_LEN - "/bin/true".length() - 1 - "short".length() - 1 - 1;
        assertEquals(longArg.substring(0, room), exec.args().get(2));
    }

    @Test
    void aFailedExecIsReportedOnceWithItsErrnoAndTheFilenameAsPassed() throws Exception {
        String missing = "/nonexistent-" + UUID.randomUUID() + "/prog";
        try {
            new ProcessBuilder(missing, "x").start().waitFor();
            throw new AssertionError(missing + " started");
        } catch (IOException expected) {
            // Java's spawn helper tried the execve in the child and reported the failure.
        }
        ExecEvent exec = only(ExecEvent.class, e -> e.path().equals(missing), "failed exec of " + missing);
        assertEquals(-2, exec.ret());
        assertEquals("ENOENT", exec.errorName());
        assertFalse(exec.succeeded());
        assertEquals(List.of(missing, "x"), exec.args());
        assertEquals(SELF, exec.header().ppid(), "the failing caller is Java's spawn helper, our child");
        assertTrue(exec.header().pid() != SELF);
    }

    @Test
    void anExitCodeIsReportedOncePerProcess() throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "exit 3").start();
        assertEquals(3, p.waitFor());
        ExitEvent exit = onlyExit((int) p.pid());

        assertEquals(3, exit.exitCode());
        assertEquals(0, exit.signal());
        assertFalse(exit.coreDumped());
        assertEquals("", exit.signalName());
        assertEquals(ExecDecoder.EXIT, exit.header().type());
        assertEquals(SELF, exit.header().ppid());
        assertEquals("exit", exit.type());
    }

    @Test
    void aKilledProcessHasItsSignalAndItsLifetime() throws Exception {
        long before = System.nanoTime();
        Process p = new ProcessBuilder("/bin/sleep", "30").start();
        onlyExec((int) p.pid(), "/bin/sleep"); // it runs sleep now, not the spawn helper
        Thread.sleep(200);
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        long wall = System.nanoTime() - before;
        ExitEvent exit = onlyExit((int) p.pid());

        assertEquals(15, exit.signal());
        assertEquals("SIGTERM", exit.signalName());
        assertEquals(-1, exit.exitCode());
        assertFalse(exit.coreDumped());
        assertTrue(exit.lifetimeNs() >= 200_000_000L, "lived at least the 200 ms we waited: " + exit.lifetime());
        assertTrue(exit.lifetimeNs() <= wall, "lived no longer than the test watched it: " + exit.lifetime());
        assertEquals(exit.header().tsNanos() - exit.lifetimeNs(), exit.processStartNs(), "the exit time is the header's, on the clock of the start");
    }

    @Test
    void aMultiThreadedProcessExitsOnceAndAnExecFromAThreadFindsItsArguments() throws Exception {
        String python = """
                import os, threading, time
                ts = [threading.Thread(target=time.sleep, args=(30,), daemon=True) for _ in range(4)]
                for t in ts: t.start()
                threading.Thread(target=lambda: os.execv('/bin/sh', ['/bin/sh', '-c', 'exit 7', 'from-thread'])).start()
                time.sleep(30)
                """;
        Process p = new ProcessBuilder("python3", "-c", python).start();
        assertEquals(7, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
        int pid = (int) p.pid();

        ExecEvent exec = onlyExec(pid, "/bin/sh");
        assertEquals(List.of("/bin/sh", "-c", "exit 7", "from-thread"), exec.args(),
                "saved under the calling thread's id, found after the thread took over the pid");
        assertFalse(exec.argsUnseen());
        assertEquals(pid, exec.header().tid());
        ExitEvent exit = onlyExit(pid);
        assertEquals(7, exit.exitCode());
    }

    /**
     * The one exec of that program by that pid. Waits for it a little: Process.start()
     * returns once the exec has closed the spawn helper's close-on-exec pipe, which is a
     * moment before the kernel's sched_process_exec tracepoint writes the record; and the
     * test reads the ring only every 10 ms.
     */
    private ExecEvent onlyExec(int pid, String firstArg) throws InterruptedException {
        return only(ExecEvent.class, e -> e.header().pid() == pid && !e.args().isEmpty() && e.args().get(0).equals(firstArg),
                "exec of " + firstArg + " by " + pid);
    }

    private ExitEvent onlyExit(int pid) throws InterruptedException {
        return only(ExitEvent.class, e -> e.header().pid() == pid, "exit of " + pid);
    }

    private <T extends Event> T only(Class<T> type, Predicate<T> match, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        List<T> found = events(type, match);
        while (found.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
            found = events(type, match);
        }
        Thread.sleep(50); // a second record for the same thing would come right after the first
        found = events(type, match);
        assertEquals(1, found.size(), "one " + what + " (records lost to a full ring: " + context.lost() + "): " + found);
        return found.get(0);
    }

    /** The events of this test so far that match, after what waits in the ring now is read. */
    private <T extends Event> List<T> events(Class<T> type, Predicate<T> match) {
        drain();
        return children.subList(firstEvent, children.size()).stream()
                .filter(type::isInstance).map(type::cast).filter(match).toList();
    }

    /** Decodes what waits in the ring now and keeps the events of this JVM's children. */
    private static void drain() {
        for (Event e : context.pump()) {
            if (e.header().ppid() == SELF) {
                children.add(e);
            }
        }
    }
}
