package dev.apiary.core.container;

import static dev.apiary.core.container.CgroupTree.HEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import dev.apiary.sdk.ContainerStop;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How what Docker tells is merged into the slots, as the watcher would tell it. */
class DockerFactsTest {

    private static final Instant STARTED = Instant.parse("2025-01-02T03:04:05Z");
    private static final int SELF = (int) ProcessHandle.current().pid();

    @TempDir
    Path root;

    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private final List<String> changed = new ArrayList<>();
    private final List<ContainerStop> stops = new ArrayList<>();
    private static final Instant AT = Instant.parse("2026-12-08T01:02:03.456Z");
    private ContainerSlots slots;
    private DockerFacts facts;

    @BeforeEach
    void open() {
        slots = new ContainerSlots(root);
        CgroupTable cgroups = new CgroupTable(root, Duration.ofHours(1), Duration.ofMinutes(2), null, slots, s -> {
        }, clock::get);
        facts = new DockerFacts(slots, cgroups, s -> changed.add(s.id), stops::add, clock::get);
    }

    @Test
    void anEventsEmptyFieldsKeepWhatAnInspectSaid() {
        Map<String, String> labels = Map.of("app", "shop");
        facts.seen(new DockerContainer(HEX, "web", "nginx", labels, SELF, STARTED, true, true));
        facts.seen(new DockerContainer(HEX, "", "", Map.of(), 0, null, true, false)); // an event without attributes
        assertEquals(new DockerContainer(HEX, "web", "nginx", labels, SELF, STARTED, true, true), docker(),
                "an event without attributes keeps the name, image, labels and the inspected pid");
        assertEquals(ProcessNamespaces.of(SELF), slots.get(HEX).namespaces);

        facts.seen(new DockerContainer(HEX, "web", "nginx", labels, 0, null, false, false)); // die
        assertEquals(0, docker().pid());
        assertFalse(slots.get(HEX).running());
        assertEquals(ProcessNamespaces.NONE, slots.get(HEX).namespaces);

        facts.seen(new DockerContainer(HEX, "web", "nginx", labels, 0, null, true, false)); // start, before its inspect
        assertEquals(0, docker().pid(), "a pid from before the stop is not kept");
        assertEquals(STARTED, docker().started(), "until an inspect says a newer one");
        assertTrue(docker().inspected());
        assertEquals(List.of(HEX, HEX, HEX, HEX), changed, "every fact is passed on to the watched map");
    }

    @Test
    void aNameIsOnlyTakenWhenDockerSaysOne() {
        facts.seen(new DockerContainer(HEX, "", "busybox", Map.of(), 0, null, true, false));
        assertEquals("", slots.get(HEX).ref.name());
        assertEquals("", slots.get(HEX).ref.image(), "the ref stays the unnamed one until a name comes");
        facts.seen(new DockerContainer(HEX, "/job", "", Map.of(), 0, null, true, false));
        assertEquals("job", slots.get(HEX).ref.name());
        assertEquals("busybox", slots.get(HEX).ref.image());
    }

    @Test
    void destroyedKeepsTheFactsAndMarksTheContainerGone() {
        facts.seen(new DockerContainer(HEX, "web", "nginx", Map.of(), SELF, STARTED, true, true));
        facts.stopped(HEX, 137, AT);
        facts.destroyed(HEX);
        ContainerSlot slot = slots.get(HEX);
        assertEquals(clock.get(), slot.goneSinceNanos);
        assertFalse(slot.running());
        assertEquals("web", slot.ref.name());
        assertEquals(0, docker().pid());

        facts.stopped("f".repeat(64), 0, AT);
        facts.destroyed("f".repeat(64));
        assertNull(slots.get("f".repeat(64)), "what was never seen is not made up");
        assertEquals(List.of(HEX, HEX, HEX), changed);
        assertEquals(1, stops.size(), "a stop is told once, and only of a container that was seen");
        ContainerStop stop = stops.get(0);
        assertEquals("web", stop.container().ref().name());
        assertEquals(137, stop.exitCode());
        assertEquals(AT, stop.at());
    }

    @Test
    void aListMarksWhatTheDaemonNoLongerHasDestroyed() {
        String kept = "a".repeat(64);
        String removedMeanwhile = "b".repeat(64);
        String destroyedBefore = "c".repeat(64);
        facts.seen(new DockerContainer(kept, "kept", "img", Map.of(), 0, null, true, false));
        facts.seen(new DockerContainer(removedMeanwhile, "gone", "img", Map.of(), 0, null, true, false));
        facts.seen(new DockerContainer(destroyedBefore, "old", "img", Map.of(), 0, null, false, false));
        facts.destroyed(destroyedBefore);
        long destroyedAt = clock.get();
        slots.slotFor(HEX, CgroupPaths.PODMAN); // known by its path only: not Docker's to judge
        changed.clear();

        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        facts.listed(Set.of(kept));
        assertEquals(List.of(removedMeanwhile), changed);
        assertEquals(clock.get(), slots.get(removedMeanwhile).goneSinceNanos);
        assertFalse(slots.get(removedMeanwhile).docker.running());
        assertEquals(0, slots.get(kept).goneSinceNanos);
        assertEquals(destroyedAt, slots.get(destroyedBefore).goneSinceNanos, "its forgetting is not put off");
        assertEquals(0, slots.get(HEX).goneSinceNanos);
    }

    @Test
    void aContainerSeenRunningIsNoLongerGone() {
        facts.seen(new DockerContainer(HEX, "web", "nginx", Map.of(), 0, null, true, false));
        facts.listed(Set.of()); // the daemon was away and did not list it
        facts.seen(new DockerContainer(HEX, "web", "nginx", Map.of(), 0, null, true, false)); // a replayed start
        assertEquals(0, slots.get(HEX).goneSinceNanos);
        assertTrue(slots.get(HEX).running());
    }

    @Test
    void theFirstListOrAnAbsentDaemonEndsTheWaitAtStart() {
        assertFalse(facts.awaitFirstList(Duration.ofMillis(10)));
        facts.connected(true);
        assertFalse(facts.awaitFirstList(Duration.ofMillis(10)), "connected, but nothing listed yet");
        facts.listed(Set.of());
        assertTrue(facts.awaitFirstList(Duration.ofMillis(10)));

        DockerFacts away = new DockerFacts(slots, null, s -> {
        }, stops::add, clock::get);
        away.connected(false);
        assertTrue(away.awaitFirstList(Duration.ofMillis(10)));
    }

    @Test
    void closedFactsTakeNothingMore() {
        facts.close();
        facts.seen(new DockerContainer(HEX, "web", "nginx", Map.of(), 0, null, true, false));
        assertEquals(0, slots.size());
        assertTrue(changed.isEmpty());
    }

    private DockerContainer docker() {
        return slots.get(HEX).docker;
    }
}
