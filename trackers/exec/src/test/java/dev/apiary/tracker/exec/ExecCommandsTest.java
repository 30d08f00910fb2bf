package dev.apiary.tracker.exec;

import static dev.apiary.tracker.exec.Fixtures.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.testing.ControlCharacters;
import dev.apiary.sdk.testing.TestContainers;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExecCommandsTest {

    private static final long NOW = 1000 * SECOND;

    private static final ContainerRef WEB = TestContainers.WEB;
    private static final ContainerRef DB = TestContainers.DB;
    /** A container core knows that runs nothing now. */
    private static final ContainerRef STOPPED = TestContainers.docker("99ee", "batch", "alpine");
    /** A container core never named (it lived briefly) whose process the table still holds; its id starts as web's. */
    private static final ContainerRef BRIEF = TestContainers.docker("3f2a77", "", "");

    private final ProcessTable table = new ProcessTable();
    private final TestContainers containers = TestContainers.running(WEB, DB).add(STOPPED, false);
    private final ExecCommands commands = new ExecCommands(
            () -> Optional.of(new ExecTracker.Running(table, containers)), () -> NOW);

    ExecCommandsTest() {
        table.seed(List.of(
                Fixtures.process(ContainerRef.HOST, 1, 0, 0, 0, "/sbin/init"),
                Fixtures.process(WEB, 1000, 1, 0, NOW - 60 * SECOND, "/usr/sbin/nginx"),
                Fixtures.process(DB, 2000, 1, 999, NOW - 5 * SECOND, "postgres"),
                Fixtures.process(BRIEF, 3000, 1, 0, NOW - 2 * SECOND, "/bin/true")));
    }

    @Test
    void aContainerByNameIdOrIdPrefixShowsOnlyItsProcesses() {
        String byName = commands.ps(false, "web");
        assertEquals("""
                web (3f2a1b9c0d12, docker, nginx:1.27): 1 process
                    PID     PPID     UID     AGE  COMMAND
                   1000        1       0   1m00s  /usr/sbin/nginx
                """, byName);
        assertEquals(byName, commands.ps(false, "3f2a1b"));
        assertEquals(byName, commands.ps(false, WEB.id()));
        assertEquals(byName, commands.ps(false, "/web"));
    }

    @Test
    void withoutAContainerEveryGroupIsShown() {
        String all = commands.ps(false);
        assertTrue(all.indexOf("db (") < all.indexOf("web (") && all.indexOf("web (") < all.indexOf("host: 1 process"), all);
        assertTrue(all.contains("3f2a77000000 (3f2a77000000, docker): 1 process"), all);
    }

    @Test
    void hostNamesTheProcessesOutsideContainers() {
        String host = commands.ps(false, "host");
        assertTrue(host.startsWith("host: 1 process\n"), host);
        assertTrue(host.contains("/sbin/init"), host);
    }

    @Test
    void aContainerOnlyTheTableKnowsIsFoundByItsId() {
        assertTrue(commands.ps(false, "3f2a77").startsWith("3f2a77000000 (3f2a77000000, docker): 1 process\n"));
    }

    @Test
    void aKnownContainerThatRunsNothingSaysSo() {
        assertEquals("batch: no processes running", commands.ps(false, "batch"));
        assertEquals("{\"containers\":[]}", commands.ps(true, "batch"));
    }

    @Test
    void anUnknownContainerIsTheKitsError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.ps(false, "nosuch"));
        assertEquals("no container named nosuch; running: 3f2a77000000, db, web (or 'host')", e.getMessage());
    }

    @Test
    void anAmbiguousIdPrefixIsAnErrorThatListsThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.ps(false, "3f2a"));
        assertEquals("'3f2a' is the start of 2 containers' ids: web (3f2a1b9c0d12), 3f2a77000000 (3f2a77000000);"
                + " give more of the id or the name", e.getMessage());
    }

    @Test
    void moreThanOneContainerIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.ps(false, "web", "db"));
        assertTrue(e.getMessage().startsWith("give one container"), e.getMessage());
    }

    @Test
    void jsonForOneContainer() {
        String json = commands.ps(true, "db");
        assertTrue(json.startsWith("{\"containers\":[{\"id\":\"" + DB.id() + "\",\"name\":\"db\",\"image\":\"postgres:17\","
                + "\"runtime\":\"docker\",\"processes\":["), json);
        assertTrue(json.contains("\"pid\":2000,\"ppid\":1,\"uid\":999,\"ageSeconds\":5,\"depth\":0"), json);
    }

    @Test
    void hostileCommandLinesAndNamesAreEscapedInTextAndCarriedInJson() {
        ContainerRef evil = TestContainers.docker("e0e0", ControlCharacters.HOSTILE, ControlCharacters.HOSTILE);
        containers.add(evil, true);
        table.seed(List.of(new ProcessInfo(4000, 1, 0, evil, ControlCharacters.HOSTILE, ControlCharacters.HOSTILE,
                List.of(ControlCharacters.HOSTILE, "-c", ControlCharacters.HOSTILE), false, NOW)));
        String all = commands.ps(false);
        ControlCharacters.assertNone(all);
        assertTrue(all.contains("x\\x1b[31mRED"), all);
        String one = commands.ps(false, "e0e0");
        ControlCharacters.assertNone(one);
        assertTrue(one.contains("4000"), one);

        String json = commands.ps(true, "e0e0");
        ControlCharacters.assertNoneInJson(json);
        assertTrue(json.contains("\"comm\":\"x\\u001b[31mRED"), json);
        assertTrue(json.contains("\"name\":\"x\\u001b[31mRED"), json);
    }

    @Test
    void aHostileNameOfAnIdleContainerIsEscaped() {
        ContainerRef evil = TestContainers.docker("e1e1", ControlCharacters.HOSTILE, "");
        containers.add(evil, true);
        ControlCharacters.assertNone(commands.ps(false, "e1e1"));
    }

    @Test
    void aStoppedTrackerSaysHowToStartIt() {
        ExecCommands stopped = new ExecCommands(Optional::empty, () -> NOW);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stopped.ps(false));
        assertEquals("the exec tracker is not running (tracker:start exec)", e.getMessage());
    }
}
