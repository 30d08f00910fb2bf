package dev.apiary.bpf;

import dev.apiary.bpf.testing.RequiresBpf;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layouts from BTF, checked against hand-written ones, and events decoded by BTF alone. */
@RequiresBpf
class BtfTest {

    /** struct test_event as the test expects it. */
    static final StructLayout TEST_EVENT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("path_len"),
            MemoryLayout.sequenceLayout(TestObjects.PATH_LEN, JAVA_BYTE).withName("path"));

    @TempDir
    Path dir;

    @Test
    void theTestEventsLayoutFromBtfEqualsTheJavaOne() {
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            Btf btf = obj.btf();
            assertEquals(EventHeader.LAYOUT, btf.layout("apiary_event_header"));
            assertEquals(TEST_EVENT.withName("test_event"), btf.layout("test_event"));
            assertEquals(TestObjects.EVENT_SIZE, btf.struct("test_event").size());
            btf.checkLayout("test_event", TEST_EVENT);
            btf.checkLayout("apiary_event_header", EventHeader.LAYOUT);
        }
    }

    @Test
    void aLayoutThatDiffersIsReported() {
        StructLayout swapped = MemoryLayout.structLayout(
                EventHeader.LAYOUT.withName("hdr"),
                JAVA_INT.withName("path_len"),
                JAVA_INT.withName("flags"),
                MemoryLayout.sequenceLayout(TestObjects.PATH_LEN, JAVA_BYTE).withName("path"));
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            BpfException e = assertThrows(BpfException.class, () -> obj.btf().checkLayout("test_event", swapped));
            assertTrue(e.getMessage().contains("does not match"), e.getMessage());
            assertThrows(BpfException.class, () -> obj.btf().struct("no_such_struct"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRecordDecodesByBtfAloneIntoNamedFields() throws Exception {
        Path file = Files.writeString(dir.resolve("decoded-by-btf"), "x");
        try (BpfObject obj = TestObjects.attached("target_tgid", TestObjects.SELF)) {
            BtfType.Struct event = obj.btf().struct("test_event");
            List<Map<String, Object>> decoded = new ArrayList<>();
            try (RingBuffer ring = obj.ringBuffer()) {
                Files.readAllBytes(file);
                ring.consume(r -> decoded.add((Map<String, Object>) event.decode(r, 0)));
            }
            Map<String, Object> open = decoded.stream()
                    .filter(m -> file.toString().equals(m.get("path")))
                    .findFirst().orElseThrow(() -> new AssertionError("no record for " + file + " in " + decoded));
            Map<String, Object> hdr = (Map<String, Object>) open.get("hdr");
            assertEquals((long) TestObjects.SELF, hdr.get("pid"));
            assertEquals((long) TestObjects.EVENT_OPEN, hdr.get("type"));
            assertEquals(TestObjects.threadComm(((Long) hdr.get("tid")).intValue()), hdr.get("comm"));
            assertEquals((long) file.toString().length() + 1, open.get("path_len"));
            assertEquals(List.of("hdr", "flags", "path_len", "path"), List.copyOf(open.keySet()));
        }
    }

    @Test
    void theKernelsOwnBtfHasItsStructs() {
        try (Btf kernel = Btf.kernel()) {
            BtfType.Struct task = kernel.struct("task_struct");
            assertTrue(task.size() > 1000);
            assertTrue(task.field("pid").isPresent());
            assertTrue(task.field("comm").orElseThrow().type() instanceof BtfType.Array a && a.isString());
            MemoryLayout layout = kernel.layout("task_struct");
            assertEquals(task.size(), layout.byteSize());
        }
    }
}
