package dev.apiary.tracker.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.testing.ControlCharacters;
import dev.apiary.sdk.testing.TestContainers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tcp:connections and tcp:listen over a table fed with the tracker's events and a fake /proc:
 * web's and the host's sockets come from events only (their namespaces' /proc files do not
 * exist), db's listener from /proc only (no event names its owner).
 */
class TcpCommandsTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long NOW = 10_000 * SECOND;

    private static final ContainerRef WEB = TestContainers.WEB;
    private static final ContainerRef DB = TestContainers.DB;
    /** A container core never named (it lived briefly) that still owns a socket; its id starts as web's. */
    private static final ContainerRef BRIEF = TestContainers.docker("3f2a77", "", "");

    @TempDir
    Path proc;
    private final ConnectionTable table = new ConnectionTable();
    private final TestContainers containers = TestContainers.running(WEB, DB); // pids 100, 101
    private TcpCommands commands;

    @BeforeEach
    void sockets() throws IOException {
        // db's network namespace, read through its pid 101: one listener on 5432 that no event told of.
        Files.createDirectories(proc.resolve("101/net"));
        Files.writeString(proc.resolve("101/net/tcp"), String.join("\n",
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 4242 1 0 100 0 0 10 0",
                ""));
        table.apply(event(WEB, 4700, "nginx", TcpDecoder.LISTEN, 1, "0.0.0.0", 80, "0.0.0.0", 0, "LISTEN", -1, -1,
                3600 * SECOND));
        table.apply(event(WEB, 4711, "nc", TcpDecoder.ACCEPT, 2, "172.17.0.2", 7777, "172.17.0.3", 40312, "ESTABLISHED",
                10, 20, 12 * SECOND));
        table.apply(event(ContainerRef.HOST, 900, "ssh", TcpDecoder.CONNECT, 3, "10.0.0.2", 51000, "10.0.0.9", 22,
                "ESTABLISHED", 1, 0, 61 * SECOND));
        table.apply(event(BRIEF, 5000, "curl", TcpDecoder.CONNECT, 4, "172.17.0.9", 50000, "1.1.1.1", 443, "ESTABLISHED",
                1, 0, SECOND));
        commands = commands();
    }

    private TcpCommands commands() {
        return new TcpCommands(() -> Optional.of(new TcpTracker.Running(table, new LiveSockets(table, containers, proc),
                containers)), () -> NOW);
    }

    private static TcpEvent event(ContainerRef c, int pid, String comm, int type, long id, String local, int localPort,
            String remote, int remotePort, String state, long sent, long received, long ageNs) {
        // A network namespace no container's /proc shows here: the table's word is taken as it is.
        EventHeader h = new EventHeader(NOW, 1, pid, pid, 1, 0, 0, 1, 2, 4026539000L + id, type, 0, comm);
        return new TcpEvent(h, c, id, "ipv4", local, localPort, remote, remotePort, "SYN_RECV", state, sent, received,
                ageNs, "");
    }

    @Test
    void connectionsOfEveryContainerThenTheHost() {
        assertEquals("""
                CONTAINER      PID  COMM  STATE        LOCAL             REMOTE            SENT  RECEIVED    AGE
                3f2a77000000  5000  curl  ESTABLISHED  172.17.0.9:50000  1.1.1.1:443          1         0     1s
                web           4711  nc    ESTABLISHED  172.17.0.2:7777   172.17.0.3:40312    10        20    12s
                host           900  ssh   ESTABLISHED  10.0.0.2:51000    10.0.0.9:22          1         0  1m01s
                """, commands.connections(false));
    }

    @Test
    void listenersFromEventsAndFromProc() {
        assertEquals("""
                CONTAINER   PID  COMM   FAMILY  ADDRESS  PORT    AGE
                db            -  -      ipv4    0.0.0.0  5432      -
                web        4700  nginx  ipv4    0.0.0.0    80  1h00m
                """, commands.listen(false));
    }

    @Test
    void oneContainerByNameIdOrPrefixOrTheHost() {
        String web = commands.connections(false, "web");
        assertEquals(2, web.lines().count(), web);
        assertTrue(web.contains("172.17.0.3:40312"), web);
        assertEquals(web, commands.connections(false, "3f2a1b"));
        assertEquals(web, commands.connections(false, WEB.id()));
        assertTrue(commands.connections(false, "host").contains("10.0.0.9:22"));
        assertEquals(2, commands.connections(false, "host").lines().count());
        assertTrue(commands.listen(false, "db").contains("5432"));
        assertTrue(commands.connections(false, "3f2a77").contains("1.1.1.1:443"), "a container only the table knows");
    }

    @Test
    void aContainerWithoutSocketsSaysSo() {
        assertEquals("db: no open TCP connections", commands.connections(false, "db"));
        assertEquals("host: no listening TCP ports", commands.listen(false, "host"));
        assertEquals("{\"connections\":[]}", commands.connections(true, "db"));
    }

    @Test
    void anUnknownContainerIsTheKitsError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.connections(false, "nosuch"));
        assertEquals("no container named nosuch; running: 3f2a77000000, db, web (or 'host')", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> commands.listen(true, "nosuch"));
    }

    @Test
    void anAmbiguousIdPrefixIsAnErrorThatListsThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.listen(false, "3f2a"));
        assertEquals("'3f2a' is the start of 2 containers' ids: web (3f2a1b9c0d12), 3f2a77000000 (3f2a77000000);"
                + " give more of the id or the name", e.getMessage());
    }

    @Test
    void moreThanOneContainerIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.connections(false, "web", "db"));
        assertTrue(e.getMessage().startsWith("give one container"), e.getMessage());
    }

    @Test
    void jsonRowsCarryTheContainerAsEveryOutputDoes() {
        String json = commands.connections(true, "web");
        assertEquals("{\"connections\":[{\"container\":{\"id\":\"" + WEB.id() + "\",\"name\":\"web\",\"image\":\"nginx:1.27\","
                + "\"runtime\":\"docker\"},\"pid\":4711,\"comm\":\"nc\",\"family\":\"ipv4\",\"localAddress\":\"172.17.0.2\","
                + "\"localPort\":7777,\"remoteAddress\":\"172.17.0.3\",\"remotePort\":40312,\"state\":\"ESTABLISHED\","
                + "\"bytesSent\":10,\"bytesReceived\":20,\"ageSeconds\":12,\"connectionId\":2}]}", json);
        String db = commands.listen(true, "db");
        assertTrue(db.contains("\"pid\":null,\"comm\":null,\"family\":\"ipv4\",\"localAddress\":\"0.0.0.0\",\"localPort\":5432"), db);
        assertTrue(db.contains("\"bytesSent\":null,\"bytesReceived\":null,\"ageSeconds\":null,\"connectionId\":null"), db);
    }

    @Test
    void whatAContainerChoseIsEscapedInTextAndCarriedInJson() {
        ContainerRef evil = TestContainers.docker("e0e0", ControlCharacters.HOSTILE, ControlCharacters.HOSTILE);
        containers.add(evil, true);
        table.apply(event(evil, 6000, ControlCharacters.HOSTILE, TcpDecoder.LISTEN, 5, "0.0.0.0", 8080, "0.0.0.0", 0,
                "LISTEN", -1, -1, SECOND));
        table.apply(event(evil, 6001, ControlCharacters.HOSTILE, TcpDecoder.CONNECT, 6, "172.17.0.5", 4000, "1.2.3.4", 80,
                "ESTABLISHED", 0, 0, SECOND));
        for (String text : new String[] {commands.listen(false), commands.connections(false), commands.listen(false, "e0e0"),
                commands.connections(false, "e0e0"), commands.connections(false, "host")}) {
            ControlCharacters.assertNone(text);
        }
        assertTrue(commands.listen(false, "e0e0").contains("x\\x1b[31mRED"));
        String idle = assertThrows(IllegalArgumentException.class, () -> commands.listen(false, "nosuch")).getMessage();
        ControlCharacters.assertNone(idle);

        String json = commands.listen(true, "e0e0");
        assertTrue(json.contains("\"comm\":\"x\\u001b[31mRED"), json);
        assertTrue(json.contains("\"name\":\"x\\u001b[31mRED"), json);
        ControlCharacters.assertNoneInJson(json);
    }

    @Test
    void aStoppedTrackerSaysHowToStartIt() {
        TcpCommands stopped = new TcpCommands(Optional::empty, () -> NOW);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stopped.connections(false));
        assertEquals("the tcp tracker is not running (tracker:start tcp)", e.getMessage());
        assertThrows(IllegalStateException.class, () -> stopped.listen(true, "web"));
    }
}
