package dev.apiary.tracker.exec;

import static dev.apiary.tracker.exec.Fixtures.DB;
import static dev.apiary.tracker.exec.Fixtures.SECOND;
import static dev.apiary.tracker.exec.Fixtures.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExecCommandsTest {

    private static final long NOW = 1000 * SECOND;

    /** A container core knows that runs nothing now. */
    private static final ContainerRef STOPPED = new ContainerRef("99ee" + "0".repeat(60), "batch", "alpine", "docker",
            Map.of(), "", "");

    private final ProcessTable table = new ProcessTable();
    private final Containers containers = new KnownContainers(List.of(WEB, DB, STOPPED));
    private final ExecCommands commands = new ExecCommands(
            () -> Optional.of(new ExecTracker.Running(table, containers)), () -> NOW);

    ExecCommandsTest() {
        table.seed(List.of(
                Fixtures.process(ContainerRef.HOST, 1, 0, 0, 0, "/sbin/init"),
                Fixtures.process(WEB, 1000, 1, 0, NOW - 60 * SECOND, "/usr/sbin/nginx"),
                Fixtures.process(DB, 2000, 1, 999, NOW - 5 * SECOND, "postgres")));
    }

    @Test
    void aContainerByNameOrIdPrefixShowsOnlyItsProcesses() {
        String byName = commands.ps(false, "web");
        assertEquals("""
                web (3f2a1b9c0d12, docker, nginx:1.27): 1 process
                    PID    PPID    UID      AGE  COMMAND
                   1000       1      0    1m00s  /usr/sbin/nginx
                """, byName);
        assertEquals(byName, commands.ps(false, "3f2a1b"));
        assertEquals(byName, commands.ps(false, WEB.id()));
    }

    @Test
    void withoutAContainerEveryGroupIsShown() {
        String all = commands.ps(false);
        assertTrue(all.indexOf("db (") < all.indexOf("web (") && all.indexOf("web (") < all.indexOf("host: 1 process"), all);
    }

    @Test
    void hostNamesTheProcessesOutsideContainers() {
        assertTrue(commands.ps(false, "host").startsWith("host: 1 process\n"));
    }

    @Test
    void aKnownContainerThatRunsNothingSaysSo() {
        assertEquals("batch: no processes running", commands.ps(false, "batch"));
        assertEquals("{\"containers\":[]}", commands.ps(true, "batch"));
    }

    @Test
    void anUnknownContainerIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.ps(false, "nosuch"));
        assertEquals("no container named 'nosuch' (give a name, an id or an id prefix; apiary:containers lists them)",
                e.getMessage());
    }

    @Test
    void jsonForOneContainer() {
        String json = commands.ps(true, "db");
        assertTrue(json.startsWith("{\"containers\":[{\"id\":\"" + DB.id() + "\",\"name\":\"db\""), json);
        assertTrue(json.contains("\"pid\":2000,\"ppid\":1,\"uid\":999,\"ageSeconds\":5,\"depth\":0"), json);
    }

    @Test
    void aStoppedTrackerSaysHowToStartIt() {
        ExecCommands stopped = new ExecCommands(Optional::empty, () -> NOW);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stopped.ps(false));
        assertEquals("the exec tracker is not running (tracker:start exec)", e.getMessage());
    }

    /** Containers as core would list them: lookups by name, id or id prefix. */
    private record KnownContainers(List<ContainerRef> refs) implements Containers {

        @Override
        public List<Container> list() {
            return refs.stream().map(r -> new Container(r, 0, 0, "", 0, 0, 0, true, null)).toList();
        }

        @Override
        public Optional<Container> find(String nameOrId) {
            return list().stream().filter(c -> c.ref().matches(nameOrId)).findFirst();
        }

        @Override
        public ContainerRef ofPid(int pid) {
            return ContainerRef.HOST;
        }

        @Override
        public ContainerRef ofCgroup(long cgroupId) {
            return ContainerRef.HOST;
        }
    }
}
