package dev.apiary.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.apiary.sdk.Container;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The slots both sides fill: one per container id, in list order, and what a slot shows as a Container. */
class ContainerSlotsTest {

    @TempDir
    Path root;

    @Test
    void oneSlotPerContainerId() {
        ContainerSlots slots = new ContainerSlots(root);
        ContainerSlot first = slots.slotFor("a".repeat(64), CgroupPaths.DOCKER);
        assertSame(first, slots.slotFor("a".repeat(64), CgroupPaths.DOCKER));
        assertEquals(CgroupPaths.DOCKER, first.runtime);
        assertEquals("", first.ref.name());
    }

    @Test
    void runningContainersComeFirstThenByName() {
        ContainerSlots slots = new ContainerSlots(root);
        docker(slots, "b".repeat(64), "zeta", true);
        docker(slots, "c".repeat(64), "alpha", false);
        docker(slots, "d".repeat(64), "beta", true);
        slots.slotFor("e".repeat(64), CgroupPaths.RUNC); // path only, cgroup not learned: not running

        assertEquals(List.of("beta", "zeta", "alpha", "eeeeeeeeeeee"),
                slots.list().stream().map(c -> c.ref().displayName()).toList());
    }

    @Test
    void aPathOnlyContainerShowsTheFirstProcessOfItsCgroup() {
        CgroupTree tree = new CgroupTree(root);
        String path = "/machine.slice/libpod-" + CgroupTree.HEX + ".scope";
        long id = tree.mkdir(path);
        int self = (int) ProcessHandle.current().pid();
        tree.procs(path, self);
        ContainerSlots slots = new ContainerSlots(root);
        ContainerSlot slot = slots.slotFor(CgroupTree.HEX, CgroupPaths.PODMAN);
        slot.cgroupId = id;
        slot.cgroupPath = path;

        Container c = slots.container(slot);
        assertEquals(self, c.pid());
        assertEquals(ProcessNamespaces.of(self), new ProcessNamespaces(c.mntNs(), c.pidNs(), c.netNs()));
        assertEquals(self, slot.pathPid, "kept for the next look");

        slot.cgroupRemoved = true;
        assertEquals(0, slots.container(slot).pid(), "not running: no process");
    }

    @Test
    void removeGoneTakesOnlyWhatIsGoneForLongerThanTheLimit() {
        ContainerSlots slots = new ContainerSlots(root);
        ContainerSlot old = slots.slotFor("a".repeat(64), CgroupPaths.DOCKER);
        ContainerSlot recent = slots.slotFor("b".repeat(64), CgroupPaths.DOCKER);
        slots.slotFor("c".repeat(64), CgroupPaths.DOCKER); // not gone
        old.goneSinceNanos = 1_000;
        recent.goneSinceNanos = 5_000;

        assertEquals(Set.of(old), slots.removeGone(6_000, 2_000));
        assertEquals(2, slots.size());
        assertSame(recent, slots.get("b".repeat(64)));
    }

    private static void docker(ContainerSlots slots, String id, String name, boolean running) {
        ContainerSlot slot = slots.slotFor(id, CgroupPaths.DOCKER);
        slot.docker = new DockerContainer(id, name, "img", Map.of(), 0, null, running, false);
        slot.ref = ContainerSlot.refOf(slot.docker);
    }
}
