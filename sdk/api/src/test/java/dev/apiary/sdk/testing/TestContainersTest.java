package dev.apiary.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestContainersTest {

    private static final ContainerRef OLD = TestContainers.docker("0dd0", "old", "busybox");

    @Test
    void containersAreFoundAsCoreFindsThemAndTheRestIsTheHosts() {
        TestContainers t = TestContainers.running(TestContainers.WEB, TestContainers.DB).add(OLD, false);
        assertEquals(List.of(TestContainers.DB, TestContainers.WEB, OLD), t.list().stream().map(Container::ref).toList(),
                "running ones first, then by name");
        assertEquals(Optional.of(TestContainers.WEB), t.find("web").map(Container::ref));
        assertEquals(Optional.of(TestContainers.DB), t.find("77a").map(Container::ref));
        assertEquals(Optional.empty(), t.find("nginx"));
        assertEquals(TestContainers.DB, t.ofPid(101));
        assertEquals(TestContainers.WEB, t.ofCgroup(5000));
        assertEquals(0, t.find("old").orElseThrow().pid(), "not running: no pid");
        assertEquals(ContainerRef.HOST, t.ofPid(1));
        assertEquals(ContainerRef.HOST, t.ofCgroup(1));
        assertThrows(UnsupportedOperationException.class, () -> t.setLimit("web", Containers.Limit.PIDS, 10));
    }

    @Test
    void aTestChangesThemAsItGoes() {
        TestContainers t = TestContainers.running(TestContainers.WEB);
        Container web = t.find("web").orElseThrow();
        Container stopped = new Container(web.ref(), web.pid(), web.cgroupId(), web.cgroupPath(), 0, 0, 0, false, null);
        assertEquals(List.of(stopped), t.replace(stopped).list());
        assertEquals("no container " + OLD.id() + " to replace", assertThrows(IllegalArgumentException.class,
                () -> t.replace(new Container(OLD, 1, 1, "", 0, 0, 0, true, null))).getMessage());

        assertEquals(List.of(), t.clear().list());
        assertEquals(Optional.empty(), t.find("web"));
        assertEquals(100, t.add(TestContainers.DB, true).find("db").orElseThrow().pid(), "numbered anew");
    }

    @Test
    void whatCoreWouldAnswerOtherwiseIsTheTestsToSay() {
        Container asked = new Container(OLD, 7, 0, "", 0, 0, 0, true, null);
        TestContainers t = TestContainers.running(TestContainers.WEB)
                .onFind(w -> w.equals("old") ? Optional.of(asked) : Optional.empty()).unnamedCgroups();
        assertEquals(Optional.of(asked), t.find("old"));
        assertEquals(Optional.empty(), t.find("web"), "only the lookup is asked");
        assertEquals(1, t.list().size(), "what it found is not kept");
        assertEquals(TestContainers.WEB, t.ofCgroup(5000));
        assertEquals(ContainerRef.unnamed("4242", "cgroup"), t.ofCgroup(4242));
        assertEquals(ContainerRef.HOST, t.ofPid(4242), "pids are still the host's");
    }
}
