package dev.apiary.example.ipc;

import dev.apiary.sdk.EventTypes;
import dev.apiary.sdk.testing.TestConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.testing.ControlCharacters;
import dev.apiary.sdk.testing.TestContainers;
import dev.apiary.sdk.testing.TestEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The ipc: commands over a history, counters and containers the test makes (no BPF). */
class IpcCommandsTest {

    static {
        // Its events name their tracker and type from the tracker's declaration, as core binds it.
        EventTypes.bind(new IpcTracker(TestConfig.defaults(IpcTracker.Config.class)));
    }

    private static final ContainerRef WEB = TestContainers.WEB;
    private static final ContainerRef DB = TestContainers.DB;
    /** A container core never named (it lived briefly) that the history still has; its id starts as web's. */
    private static final ContainerRef BRIEF = TestContainers.docker("3f2a77", "", "");
    /** TestContainers gives web and db these cgroup ids, in the order they were added. */
    private static final long WEB_CGROUP = 5000, DB_CGROUP = 5001;

    private final TestContainers containers = TestContainers.running(WEB, DB);
    private final History history = new History(100);
    private final List<Flow> flows = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final IpcCommands commands = new IpcCommands(() -> running.get()
            ? Optional.of(new IpcTracker.Running(history, () -> List.copyOf(flows), containers)) : Optional.empty());

    IpcCommandsTest() {
        history.add(signal(header(15370, "sh", 1), WEB, "SIGUSR1", 15398, "sleep", "web"));
        history.add(signal(header(1, "dockerd", 2), ContainerRef.HOST, "SIGTERM", 2000, "postgres", "db"));
        history.add(new PipeEvent(header(15370, "sh", 3), WEB, 1151843, 3, 4, 0, 0, ""));
        history.add(new UnixEvent(header(2000, "postgres", 4), DB, "connect", "/run/pg.sock", false, 5, -111, "ECONNREFUSED", 0, "stream"));
        history.add(new IoEvent(header(3000, "true", 5), BRIEF, "pipe", "write", 77, 0, 1, 3));
        flows.add(flow(Channel.PIPE, 1151843, 15401, "write", 3, WEB_CGROUP, "sh", 10));
        flows.add(flow(Channel.PIPE, 1151843, 15402, "read", 3, WEB_CGROUP, "cat", 11));
        flows.add(flow(Channel.FIFO, 99, 2001, "write", 12, DB_CGROUP, "postgres", 12));
        flows.add(flow(Channel.SYSV_MSG, 5, 2002, "write", 64, DB_CGROUP, "postgres", 13));
    }

    // ---- ipc:signals ------------------------------------------------------------------------

    @Test
    void signalsOfEveryContainerAsATable() {
        List<String> lines = commands.signals(false).lines().toList();
        assertEquals("TIME          CONTAINER  SENDER     TARGET              SIGNAL   ORIGIN  RESULT", lines.get(0));
        assertTrue(lines.get(1).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  web        15370 sh   15398 sleep         SIGUSR1  kill"
                + "    delivered"), lines.get(1));
        assertTrue(lines.get(2).endsWith("  host       1 dockerd  2000 postgres (db)  SIGTERM  kill    delivered"), lines.get(2));
        assertEquals(3, lines.size());
    }

    @Test
    void signalsOfOneContainerByNameIdOrPrefixIncludeThoseSentToIt() {
        String web = commands.signals(false, "web");
        assertEquals(2, web.lines().count(), web);
        assertTrue(web.contains("SIGUSR1"), web);
        assertEquals(web, commands.signals(false, "3f2a1b"));
        assertEquals(web, commands.signals(false, WEB.id()));
        assertEquals(web, commands.signals(false, "/web"));
        String db = commands.signals(false, "db");
        assertTrue(db.contains("SIGTERM") && !db.contains("SIGUSR1"), "docker kill from the host: " + db);
        assertTrue(commands.signals(false, "host").contains("1 dockerd"));
        assertEquals("no signals seen in 3f2a77000000", commands.signals(false, "3f2a77"));
    }

    @Test
    void aContainerWordThatNamesNothingOrSeveralIsTheKitsError() {
        assertEquals("no container named nosuch; running: 3f2a77000000, db, web (or 'host')",
                refused(() -> commands.signals(false, "nosuch")));
        assertEquals("'3f2a' is the start of 2 containers' ids: web (3f2a1b9c0d12), 3f2a77000000 (3f2a77000000);"
                + " give more of the id or the name", refused(() -> commands.events(false, "", "3f2a")));
        assertTrue(refused(() -> commands.pipes(false, "web", "db")).startsWith("give one container"));
    }

    @Test
    void signalsAsJsonAreEventsInTheOneShape() {
        String json = commands.signals(true, "web");
        assertTrue(json.startsWith("{\"signals\":[{\"time\":\""), json);
        assertTrue(json.contains("\"tracker\":\"ipc\",\"type\":\"signal\",\"container\":{\"id\":\"" + WEB.id()
                + "\",\"name\":\"web\",\"image\":\"nginx:1.27\",\"runtime\":\"docker\"},\"pid\":15370,\"tid\":15370,"), json);
        assertTrue(json.contains("\"comm\":\"sh\""), json);
        assertTrue(json.contains("\"signal\":10,\"signal_name\":\"SIGUSR1\",\"target_pid\":15398,\"target_tid\":15398,"
                + "\"target_comm\":\"sleep\",\"target_container\":\"web\""), json);
    }

    // ---- ipc:pipes and ipc:queues -----------------------------------------------------------

    @Test
    void pipesShowWritersAndReadersWithTheirBytes() {
        assertEquals("""
                CHANNEL         CONTAINER  WRITERS               READERS
                pipe:[1151843]  web        15401 sh (3 B)        15402 cat (3 B)
                fifo:[0:0:99]   db         2001 postgres (12 B)  -""", commands.pipes(false));
        String web = commands.pipes(false, "web");
        assertTrue(web.lines().anyMatch(l -> l.startsWith("pipe:[1151843]") && l.contains("15401 sh (3 B)")
                && l.contains("15402 cat (3 B)")), web);
        assertEquals(2, web.lines().count(), web);
        assertEquals("no pipes used in host", commands.pipes(false, "host"));
    }

    @Test
    void queuesAreTheOtherChannels() {
        String queues = commands.queues(false, "db");
        assertTrue(queues.lines().anyMatch(l -> l.startsWith("msq:5 ") && l.contains("2002 postgres (64 B)")), queues);
        assertEquals("no queues used in web", commands.queues(false, "web"));
    }

    @Test
    void pipesAsJsonHaveTheContainerAsEveryJsonDoes() {
        String json = commands.pipes(true, "web");
        assertTrue(json.startsWith("{\"pipes\":[{\"channel\":\"pipe:[1151843]\",\"kind\":\"pipe\",\"writers\":[{\"pid\":15401,"
                + "\"comm\":\"sh\",\"container\":{\"id\":\"" + WEB.id() + "\",\"name\":\"web\",\"image\":\"nginx:1.27\","
                + "\"runtime\":\"docker\"},\"bytes\":3,\"ops\":1,"), json);
    }

    // ---- ipc:events -------------------------------------------------------------------------

    @Test
    void eventsOfOneTypeOrContainer() {
        List<String> all = commands.events(false, "").lines().toList();
        assertEquals("TIME          CONTAINER     TYPE    PROCESS        DETAILS", all.get(0));
        assertEquals(6, all.size(), all.toString());
        String unix = commands.events(false, "unix");
        assertTrue(unix.lines().skip(1).allMatch(l -> l.contains("  db  ") && l.contains("connect /run/pg.sock failed:"
                + " ECONNREFUSED stream")), unix);
        String brief = commands.events(false, "", "3f2a77");
        assertTrue(brief.contains("first write on pipe:[77] fd 1: 3 B"), brief);
        assertEquals("no events of type queue in web", commands.events(false, "queue", "web"));
        assertEquals("unknown event type 'bogus'; one of signal, pipe, io, unix, queue", refused(() -> commands.events(false, "bogus")));
    }

    @Test
    void eventsAsJson() {
        String json = commands.events(true, "pipe");
        assertTrue(json.startsWith("{\"events\":[{\"time\":\""), json);
        assertTrue(json.contains("\"type\":\"pipe\"") && json.contains("\"inode\":1151843,\"read_fd\":3,\"write_fd\":4,"), json);
    }

    @Test
    void aStoppedTrackerIsSaidSo() {
        running.set(false);
        assertEquals("the ipc tracker is not running (tracker:start ipc)", refused(() -> commands.signals(false)));
        assertEquals("the ipc tracker is not running (tracker:start ipc)", refused(() -> commands.pipes(false, "web")));
    }

    // ---- hostile strings --------------------------------------------------------------------

    @Test
    void whatAContainerChoseIsEscapedInTextAndCarriedInJson() {
        String hostile = ControlCharacters.HOSTILE;
        ContainerRef evil = TestContainers.docker("e0e0", hostile, hostile);
        containers.add(evil, true);
        long evilCgroup = 5002;
        history.add(signal(header(4000, hostile, 6), evil, "SIGHUP", 4001, hostile, hostile));
        history.add(new UnixEvent(header(4000, hostile, 7), evil, "connect", hostile, false, 3, 0, "", 4002, "stream"));
        flows.add(flow(Channel.PIPE, 4242, 4000, "write", 1, evilCgroup, hostile, 20));

        String text = String.join("\n", commands.signals(false), commands.signals(false, "e0e0"), commands.events(false, ""),
                commands.events(false, "unix", "e0e0"), commands.pipes(false), commands.pipes(false, "e0e0"));
        ControlCharacters.assertNone(text);
        assertTrue(text.contains("x\\x1b[31mRED"), text);
        assertEquals("no queues used in x\\x1b[31mRED\\x1b]0;title\\x07\\rCR\\x08BS\\nNL\\x9b2J\\u202eRLO\\x00end",
                commands.queues(false, "e0e0"));

        String json = String.join("\n", commands.signals(true, "e0e0"), commands.events(true, "unix", "e0e0"),
                commands.pipes(true, "e0e0"));
        ControlCharacters.assertNone(json);
        assertTrue(json.contains("\"comm\":\"x\\u001b[31mRED"), json);
        assertTrue(json.contains("\"path\":\"x\\u001b[31mRED"), json);
        assertTrue(json.contains("\"name\":\"x\\u001b[31mRED"), json);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static String refused(Runnable r) {
        RuntimeException e = assertThrows(RuntimeException.class, r::run);
        assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException, e.toString());
        return e.getMessage();
    }

    private static EventHeader header(int pid, String comm, int second) {
        return TestEvents.header(pid, comm, second * 1_000_000_000L);
    }

    private static SignalEvent signal(EventHeader h, ContainerRef c, String name, int target, String targetComm,
            String targetContainer) {
        int number = switch (name) {
            case "SIGUSR1" -> 10;
            case "SIGTERM" -> 15;
            default -> 1;
        };
        return new SignalEvent(h, c, number, name, target, target, targetComm, targetContainer, 0, "kill", "delivered", true);
    }

    private static Flow flow(Channel channel, long inode, int pid, String direction, long bytes, long cgroup, String comm,
            int second) {
        long ns = second * 1_000_000_000L;
        return new Flow(channel, 0, inode, pid, direction, bytes, 1, ns, ns, cgroup, comm);
    }
}
