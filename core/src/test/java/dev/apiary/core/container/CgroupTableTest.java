package dev.apiary.core.container;

import static dev.apiary.core.container.CgroupTree.HEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.ContainerRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cgroup side alone: what is entered, what a removal does, when things are forgotten. */
class CgroupTableTest {

    private static final String PODMAN = "/machine.slice/libpod-" + HEX + ".scope";

    @TempDir
    Path root;

    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private final List<ContainerSlot> changed = new ArrayList<>();
    private ContainerSlots slots;

    private CgroupTable table(Duration rescanInterval, Duration forgetAfter) {
        slots = new ContainerSlots(root);
        return new CgroupTable(root, rescanInterval, forgetAfter, null, slots, changed::add, clock::get);
    }

    @Test
    void aContainerWhoseCgroupIsRemovedStopsAndIsForgottenAfterForgetAfter() {
        CgroupTable table = table(Duration.ofHours(1), Duration.ofSeconds(30));
        table.learner().learn(CgroupTree.made(11, PODMAN));
        ContainerSlot slot = slots.get(HEX);
        assertTrue(slot.running());

        table.learner().learn(CgroupTree.removed(11, PODMAN));
        assertFalse(slot.running());
        assertEquals(List.of(slot), changed, "the watched map is told it stopped");
        assertEquals(ContainerRef.unnamed(HEX, CgroupPaths.PODMAN), table.resolve(11), "still resolvable");

        clock.addAndGet(Duration.ofSeconds(31).toNanos());
        table.maintain();
        assertEquals(ContainerRef.HOST, table.resolve(11));
        assertEquals(0, slots.size());
        assertTrue(table.learner().path(11).isEmpty());
    }

    @Test
    void aNestedCgroupRemovedLeavesItsContainerRunning() {
        CgroupTable table = table(Duration.ofHours(1), Duration.ofSeconds(30));
        table.learner().learn(CgroupTree.made(11, PODMAN));
        table.learner().learn(CgroupTree.made(12, PODMAN + "/container"));
        table.learner().learn(CgroupTree.removed(12, PODMAN + "/container"));
        assertTrue(slots.get(HEX).running());
        assertEquals(11, slots.get(HEX).cgroupId);
        assertTrue(changed.isEmpty());
    }

    @Test
    void removedHostCgroupsAreForgottenAfterForgetAfter() {
        CgroupTable table = table(Duration.ofHours(1), Duration.ofSeconds(30));
        table.learner().learn(CgroupTree.made(21, "/user.slice/session-1.scope"));
        assertEquals(ContainerRef.HOST, table.resolve(21));
        table.learner().learn(CgroupTree.removed(21, "/user.slice/session-1.scope"));
        assertTrue(table.learner().path(21).isPresent(), "kept while its events may be queued");

        clock.addAndGet(Duration.ofSeconds(31).toNanos());
        table.maintain();
        assertTrue(table.learner().path(21).isEmpty());
        assertEquals(0, slots.size(), "host cgroups have no slot of their own");
    }

    @Test
    void forgettingRunsAtMostEveryFiveSeconds() {
        CgroupTable table = table(Duration.ofHours(1), Duration.ofSeconds(1));
        table.learner().learn(CgroupTree.made(11, PODMAN));
        table.learner().learn(CgroupTree.removed(11, PODMAN));

        clock.addAndGet(Duration.ofSeconds(4).toNanos());
        table.maintain();
        assertEquals(1, slots.size(), "4 s after the last look: not yet");

        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        table.maintain();
        assertEquals(0, slots.size());
    }

    @Test
    void aMissWalksTheTreeAgainOnlyWhenTheIntervalAllows() {
        CgroupTree tree = new CgroupTree(root);
        CgroupTable patient = table(Duration.ofHours(1), Duration.ofMinutes(2));
        patient.scan();
        long late = tree.mkdir(PODMAN);
        assertEquals(ContainerRef.HOST, patient.resolve(late), "walked a moment ago: not again");

        CgroupTable eager = table(Duration.ZERO, Duration.ofMinutes(2));
        eager.scan();
        long later = tree.mkdir("/machine.slice/libpod-" + "a".repeat(64) + ".scope");
        assertEquals(ContainerRef.unnamed("a".repeat(64), CgroupPaths.PODMAN), eager.resolve(later));
        long latest = tree.mkdir("/machine.slice/libpod-" + "b".repeat(64) + ".scope");
        assertEquals(ContainerRef.unnamed("b".repeat(64), CgroupPaths.PODMAN), eager.ofCgroup(latest),
                "ofCgroup cannot read the ring, but walks the tree as resolve does");
    }

    @Test
    void learnOfPidLearnsTheCgroupAProcessIsIn() {
        CgroupTable table = table(Duration.ofHours(1), Duration.ofMinutes(2));
        int self = (int) ProcessHandle.current().pid();
        String own = CgroupTable.cgroupPathOf(self);
        long id = new CgroupTree(root).mkdir(own); // the temporary root stands for the real one

        table.learnOfPid("test", self);
        assertEquals(own, table.learner().path(id).orElseThrow());

        table.learnOfPid("gone", Integer.MAX_VALUE);
        assertEquals(1, table.learner().size(), "no process: nothing learned, nothing thrown");
    }
}
