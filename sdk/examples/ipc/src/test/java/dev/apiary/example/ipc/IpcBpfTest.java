package dev.apiary.example.ipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.testing.TestConfig;
import dev.apiary.sdk.testing.TestTrackerContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tracker started the way core starts it, through a {@link TestTrackerContext} (ipc.bpf.o
 * from target/classes, configured by the tracker, loaded, watching everything, attached; no
 * OSGi), with real signals, pipes, Unix sockets and message queues made by child processes of
 * this JVM; records decoded by {@link IpcDecoder}, counters read through the tracker's
 * {@link Flows}. While a test waits for an event, the ring is read with
 * {@link TestTrackerContext#pump()} and every decoded event kept; each test picks its own by pid.
 */
@RequiresBpf
class IpcBpfTest {

    private static TestTrackerContext context;
    private static IpcTracker tracker;
    private static final List<Event> events = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        context = new TestTrackerContext(IpcTracker.NAME);
        // Settings other than the defaults: the loaded maps must have them. The ring is a large
        // one: the machine's other work fills it too, and it is read only while a test waits.
        tracker = context.start(new IpcTracker(TestConfig.of(IpcTracker.Config.class, Map.of("ring.kb", 8192, "flows", 32768))));
    }

    @AfterAll
    static void close() {
        if (tracker != null) {
            tracker.stop();
        }
        if (context != null) {
            context.close();
        }
    }

    @Test
    void theLoadedMapsHaveTheSizesOfTheSettings() {
        assertEquals(8 << 20, context.object().map("apiary_events").maxEntries(), "ring.kb=8192");
        assertEquals(32768, context.object().map("ipc_flows").maxEntries(), "flows=32768");
    }

    @Test
    void aKillFromAShellNamesSenderTargetSignalAndResult() throws Exception {
        // Signalled at once, the child may still be a forked copy of sh: wait until it runs sleep.
        Process sh = run("sh", "-c", "sleep 5 & sleep 0.5; kill -USR1 $!; wait");
        int shell = (int) sh.pid();
        SignalEvent s = await(SignalEvent.class, e -> e.header().pid() == shell && e.signal() == 10, "SIGUSR1 from " + shell);
        assertEquals("sh", s.header().comm());
        assertEquals("sleep", s.targetComm());
        assertNotEquals(shell, s.targetPid());
        assertEquals(s.targetPid(), s.targetTid(), "a single-threaded target: its only thread");
        assertEquals("SIGUSR1", s.signalName());
        assertEquals("kill", s.origin());
        assertEquals("delivered", s.result());
        assertTrue(s.group(), "kill(2) signals the whole process");
        assertEquals(s.header().cgroupId(), s.targetCgroupId(), "both in this JVM's cgroup");
        // The kernel then tells the shell its child died: SIGCHLD from sleep to sh.
        SignalEvent chld = await(SignalEvent.class, e -> e.header().pid() == s.targetPid() && e.signal() == 17, "SIGCHLD");
        assertEquals(shell, chld.targetPid());
        assertEquals("kernel", chld.origin());
    }

    @Test
    void aShellPipelineShowsThePipeItsWriterAndItsReader() throws Exception {
        Process sh = run("sh", "-c", "echo hello | cat > /dev/null");
        int shell = (int) sh.pid();
        PipeEvent pipe = await(PipeEvent.class, e -> e.header().pid() == shell, "pipe created by " + shell);
        assertEquals(0, pipe.ret());
        assertTrue(pipe.inode() > 0);
        assertTrue(pipe.readFd() >= 0 && pipe.writeFd() > pipe.readFd() - 2 && pipe.readFd() != pipe.writeFd(), pipe.toString());

        // The forked subshell writes (echo is a builtin), cat (forked, then exec'd) reads: two distinct processes.
        IoEvent write = await(IoEvent.class, e -> e.inode() == pipe.inode() && e.direction().equals("write"), "first write");
        IoEvent read = await(IoEvent.class, e -> e.inode() == pipe.inode() && e.direction().equals("read"), "first read");
        assertEquals("pipe", write.channel());
        assertEquals("sh", write.header().comm());
        assertEquals(shell, write.header().ppid());
        assertNotEquals(shell, write.header().pid());
        assertEquals(6, write.bytes());
        assertEquals("cat", read.header().comm());
        assertEquals(shell, read.header().ppid());
        assertEquals(6, read.bytes());

        List<Flow> ends = flows().stream().filter(f -> f.inode() == pipe.inode() && f.channel() == Channel.PIPE).toList();
        Flow writer = only(ends, Flow::writes, "writer");
        Flow reader = only(ends, f -> !f.writes(), "reader");
        assertEquals(write.header().pid(), writer.pid());
        assertEquals("sh", writer.comm());
        assertEquals(6, writer.bytes());
        assertEquals(1, writer.ops());
        assertEquals(read.header().pid(), reader.pid());
        assertEquals("cat", reader.comm());
        assertEquals(6, reader.bytes());
        assertEquals("pipe:[" + pipe.inode() + "]", writer.channelId());
    }

    @Test
    void aUnixSocketConnectAndItsAcceptNameThePathAndEachOthersProcess() throws Exception {
        String path = "/tmp/apiary-ipc-" + UUID.randomUUID().toString().substring(0, 8) + ".sock";
        Process server = run("python3", "-c", """
                import socket, os, sys
                s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen()
                c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])
                a, _ = s.accept(); os.unlink(sys.argv[1])
                """, path);
        int pid = (int) server.pid();
        // Matched on the path too: python3 may be a shell shim (pyenv) whose NSS lookups connect to nscd first.
        UnixEvent connect = await(UnixEvent.class, e -> e.header().pid() == pid && e.operation().equals("connect") && e.path().equals(path), "connect");
        assertEquals(0, connect.ret());
        assertEquals("", connect.error());
        assertEquals(pid, connect.peerPid(), "the listener: this same process");
        assertEquals("stream", connect.socketType());
        UnixEvent accept = await(UnixEvent.class, e -> e.header().pid() == pid && e.operation().equals("accept") && e.path().equals(path), "accept");
        assertTrue(accept.ret() >= 0);
        assertEquals(pid, accept.peerPid());
        assertEquals(false, accept.abstractName());
    }

    @Test
    void anAbstractUnixAddressAndAFailedConnect() throws Exception {
        String name = "apiary-ipc-" + UUID.randomUUID().toString().substring(0, 8);
        Process p = run("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX); s.bind('\\0' + sys.argv[1]); s.listen()
                c = socket.socket(socket.AF_UNIX); c.connect('\\0' + sys.argv[1])
                try: socket.socket(socket.AF_UNIX).connect('/nonexistent/' + sys.argv[1])
                except OSError: pass
                """, name);
        int pid = (int) p.pid();
        UnixEvent ok = await(UnixEvent.class, e -> e.header().pid() == pid && e.path().equals("@" + name), "abstract connect");
        assertTrue(ok.abstractName());
        assertEquals(0, ok.ret());
        UnixEvent failed = await(UnixEvent.class, e -> e.header().pid() == pid && e.path().startsWith("/nonexistent/"), "failed connect");
        assertEquals(-2, failed.ret());
        assertEquals("ENOENT", failed.error());
    }

    @Test
    void messageQueuesOfBothKindsAreOpenedAndCounted() throws Exception {
        String mqName = "/apiary-ipc-" + UUID.randomUUID().toString().substring(0, 8);
        Process p = run("python3", "-c", """
                import ctypes, sys
                libc = ctypes.CDLL(None, use_errno=True)
                q = libc.msgget(0, 0o1600)                       # IPC_PRIVATE | IPC_CREAT | 0600
                msg = ctypes.create_string_buffer(b'\\x01\\0\\0\\0\\0\\0\\0\\0' + b'hello')
                assert libc.msgsnd(q, msg, 5, 0) == 0
                buf = ctypes.create_string_buffer(64)
                assert libc.msgrcv(q, buf, 32, 0, 0) == 5
                libc.msgctl(q, 0, None)                          # IPC_RMID
                rt = ctypes.CDLL('librt.so.1', use_errno=True)
                fd = rt.mq_open(sys.argv[1].encode(), 0o102, 0o600, None)   # O_RDWR | O_CREAT
                assert fd >= 0, ctypes.get_errno()
                assert rt.mq_send(fd, b'queued!', 7, 0) == 0
                assert rt.mq_receive(fd, ctypes.create_string_buffer(8192), 8192, None) == 7
                rt.mq_unlink(sys.argv[1].encode())
                """, mqName);
        int pid = (int) p.pid();
        QueueEvent sysv = await(QueueEvent.class, e -> e.header().pid() == pid && e.channel().equals("sysv_msg"), "msgget");
        assertEquals(0, sysv.key(), "IPC_PRIVATE");
        assertTrue(sysv.ret() >= 0);
        QueueEvent posix = await(QueueEvent.class, e -> e.header().pid() == pid && e.channel().equals("posix_mq"), "mq_open");
        assertEquals(mqName.substring(1), posix.name().replaceFirst("^/", ""), "glibc passes the name without its slash");
        assertTrue(posix.ret() >= 0);

        List<Flow> mine = flows().stream().filter(f -> f.pid() == pid).toList();
        Flow sent = only(mine, f -> f.channel() == Channel.SYSV_MSG && f.writes(), "msgsnd");
        assertEquals(sysv.ret(), sent.inode(), "a System V queue is its msqid");
        assertEquals(5, sent.bytes());
        assertEquals(5, only(mine, f -> f.channel() == Channel.SYSV_MSG && !f.writes(), "msgrcv").bytes());
        assertEquals(7, only(mine, f -> f.channel() == Channel.POSIX_MQ && f.writes(), "mq_send").bytes());
        assertEquals(7, only(mine, f -> f.channel() == Channel.POSIX_MQ && !f.writes(), "mq_receive").bytes());
    }

    /** Starts a command and waits for it to succeed. */
    private static Process run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        return p;
    }

    private static <T> T only(List<T> items, Predicate<T> match, String what) {
        List<T> found = items.stream().filter(match).toList();
        assertEquals(1, found.size(), "one " + what + ": " + items);
        return found.getFirst();
    }

    /** The kernel's transfer counters now, read by the running tracker. */
    private static List<Flow> flows() {
        return tracker.running().orElseThrow().flows().get();
    }

    /** The one event of that type matching, waited for a little (reading the ring every 10 ms meanwhile). */
    private static <T extends Event> T await(Class<T> type, Predicate<T> match, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (true) {
            events.addAll(context.pump());
            List<T> found = events.stream().filter(type::isInstance).map(type::cast).filter(match).toList();
            if (!found.isEmpty()) {
                assertEquals(1, found.size(), "one " + what + ": " + found);
                return found.getFirst();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " (records lost to a full ring: " + context.lost() + ")");
            }
            Thread.sleep(10);
        }
    }
}
