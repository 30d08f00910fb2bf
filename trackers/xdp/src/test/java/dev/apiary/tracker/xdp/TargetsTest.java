package dev.apiary.tracker.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.testing.TestContainers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a user's word names among the containers and attachments (no BPF), and a target's JSON. */
class TargetsTest {

    private static final ContainerRef WEB = TestContainers.WEB;
    private static final ContainerRef DB = TestContainers.DB;

    private final XdpCommandsTest.FakeXdp xdp = new XdpCommandsTest.FakeXdp(TestContainers.running(WEB, DB));
    private final Targets targets = new Targets(xdp);
    private final Attachment web = xdp.attachContainer(WEB, "veth3c1d2e7", 11);
    private final Attachment eth0 = xdp.attachInterface("eth0", 2);

    @Test
    void theTrackerIsHandedAContainersFullIdOrAnInterfacesName() {
        assertEquals(DB.id(), targets.attachWord("db"));
        assertEquals(DB.id(), targets.attachWord("77aa"));
        assertEquals("eth1", targets.attachWord("eth1"));
        assertTrue(refused(() -> targets.attachWord("host")).startsWith("'host' is not an interface"));
    }

    @Test
    void anAttachmentIsNamedByItsContainerOrItsInterface() {
        assertEquals(web, targets.attached("3f2a1b"));
        assertEquals(web, targets.attached("/web"));
        assertEquals(eth0, targets.attached("eth0"));
        assertEquals("'db' is not attached (xdp:attach db first; xdp:stats lists the attachments)", refused(() -> targets.attached("db")));
        assertEquals("'eth1' is not attached (xdp:attach eth1 first; xdp:stats lists the attachments)",
                refused(() -> targets.attached("eth1")));
        assertEquals("'host' is not one attachment: give the host interface's name (attached: eth0)",
                refused(() -> targets.attached("host")));
    }

    @Test
    void anOptionalWordChoosesEveryAttachmentOneOrEveryHostInterface() {
        assertNull(targets.chosen(null));
        assertNull(targets.chosen(new String[0]));
        assertEquals(List.of(web), targets.chosen(new String[] {"web"}));
        assertEquals(List.of(eth0), targets.chosen(new String[] {"host"}));
        assertTrue(refused(() -> targets.chosen(new String[] {"web", "db"})).startsWith("give one container"));
    }

    @Test
    void aTargetsJsonHasTheContainerAsEveryJsonDoesAndNullForAnInterface() {
        assertEquals("web", Targets.json(web).get("target"));
        assertTrue(Targets.json(web).get("container") instanceof Map<?, ?> m && m.get("id").equals(WEB.id()));
        Map<String, Object> interfaceJson = new LinkedHashMap<>();
        interfaceJson.put("target", "eth0");
        interfaceJson.put("container", null);
        assertEquals(interfaceJson, Targets.json(eth0));
        assertEquals("web, eth0", Targets.describe(List.of(web, eth0)));
    }

    private static String refused(Runnable call) {
        return assertThrows(IllegalArgumentException.class, call::run).getMessage();
    }
}
