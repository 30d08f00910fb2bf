package dev.apiary.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.testing.RequiresBpf;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Maps declared with LIBBPF_PIN_BY_NAME: kept across loads when compatible, replaced when not. */
@RequiresBpf
class PinnedMapTest {

    private Path root;

    @BeforeEach
    void pinRoot() throws IOException {
        root = Path.of("/sys/fs/bpf/apiary-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createDirectories(root);
    }

    @AfterEach
    void removePins() throws IOException {
        try (Stream<Path> pins = Files.list(root)) {
            for (Path p : pins.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(root);
    }

    private BpfObject open() throws IOException {
        try (InputStream in = PinnedMapTest.class.getResourceAsStream("/bpf/pinned.bpf.o")) {
            return BpfObject.open(in.readAllBytes(), "pinned", root);
        }
    }

    @Test
    void aCompatiblePinnedMapKeepsItsContentsAcrossLoadsAndAnIncompatibleOneStartsFresh() throws IOException {
        try (BpfObject first = open()) {
            assertEquals(Optional.of(root.resolve("kept_counts")), first.map("kept_counts").pinPath());
            assertEquals(Optional.empty(), first.map("fresh_counts").pinPath());
            assertEquals(List.of(new PinnedMap("kept_counts", root.resolve("kept_counts"), PinnedMap.Outcome.NEW, "")),
                    first.reconcilePins());
            first.load();
            assertTrue(Files.exists(root.resolve("kept_counts")), "pinned at load");
            first.map("kept_counts").update(Bytes.u32(1), Bytes.u64(41));
            first.map("fresh_counts").update(Bytes.u32(1), Bytes.u64(7));
        }
        assertTrue(Files.exists(root.resolve("kept_counts")), "the pin outlives the object");

        int keptId;
        try (BpfObject second = open()) {
            assertEquals(PinnedMap.Outcome.REUSED, second.reconcilePins().getFirst().outcome());
            second.load();
            assertEquals(41, Bytes.toU64(second.map("kept_counts").lookup(Bytes.u32(1)).orElseThrow()), "kept");
            assertEquals(Optional.empty(), second.map("fresh_counts").lookup(Bytes.u32(1)), "not pinned: fresh");
            keptId = second.map("kept_counts").id();
        }

        try (BpfObject third = open()) {
            third.map("kept_counts").setMaxEntries(128);
            PinnedMap found = third.reconcilePins().getFirst();
            assertEquals(PinnedMap.Outcome.INCOMPATIBLE, found.outcome());
            assertEquals("entries 64 → 128", found.detail());
            assertFalse(Files.exists(root.resolve("kept_counts")), "the old pin is removed before load");
            third.load();
            assertEquals(Optional.empty(), third.map("kept_counts").lookup(Bytes.u32(1)), "fresh");
            assertFalse(third.map("kept_counts").id() == keptId, "a new map");
            assertEquals(128, third.map("kept_counts").maxEntries());
        }
    }
}
