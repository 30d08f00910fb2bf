package dev.apiary.bpf;

import dev.apiary.bpf.testing.RequiresBpf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.TestObjects.TestEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening, configuring, loading, attaching and closing real objects; nothing may leak. */
@RequiresBpf
class BpfObjectTest {

    @TempDir
    Path dir;

    @Test
    void listsProgramsAndMapsAndAttachesOnlyWhatItsSectionCanAttach() {
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            assertEquals(List.of("test_openat", "test_exec", "test_getppid", "test_xdp", "test_tc", "test_fill"),
                    obj.programs().stream().map(BpfProgram::name).toList());
            assertEquals("tp_btf/sched_process_exec", obj.program("test_exec").sectionName());
            assertTrue(obj.maps().stream().map(BpfMap::name).toList()
                    .containsAll(List.of("apiary_events", "apiary_events_lost", "getppid_calls", "scratch_kv", "xdp_counts")));
            assertEquals("ringbuf", obj.map("apiary_events").typeName());
            obj.load();
            assertEquals("xdp", obj.program("test_xdp").typeName());
            List<BpfLink> links = obj.attachAll();
            assertEquals(3, links.size(), "openat, exec and getppid attach; xdp, tc and raw_tp need a target: " + links);
            assertTrue(links.stream().allMatch(BpfLink::isOpen));
            BpfException e = assertThrows(BpfException.class, () -> obj.program("test_xdp").attach());
            assertTrue(e.getMessage().contains("attach it explicitly"), e.getMessage());
        }
    }

    @Test
    void closeReleasesProgramsMapsLinksAndFds() throws Exception {
        loadAttachReadAndClose(); // first round loads classes and libraries, which open files of their own
        List<String> fds = TestObjects.openFds();

        KernelIds ours = loadAttachReadAndClose();

        assertEquals(6, ours.programs().size());
        assertTrue(ours.links().size() >= 4, "3 auto-attached + 1 XDP: " + ours.links());
        // Links and programs go at once; a map goes when the last program using it is freed,
        // which the kernel defers past an RCU grace period.
        assertTrue(Collections.disjoint(ours.links(), KernelBpfObjects.linkIds()), "links gone");
        assertTrue(eventually(() -> Collections.disjoint(ours.programs(), KernelBpfObjects.programIds())), "programs gone");
        assertTrue(eventually(() -> Collections.disjoint(ours.maps(), KernelBpfObjects.mapIds())),
                "maps gone: " + ours.maps() + " still in " + KernelBpfObjects.mapIds());
        assertEquals(fds.size(), TestObjects.openFds().size(), "fd count back: " + TestObjects.openFds());
    }

    /** Polls for up to 5 s: the kernel frees some objects after a grace period, not on close. */
    static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private record KernelIds(Set<Integer> programs, Set<Integer> maps, Set<Integer> links) {
    }

    /** @return the kernel ids of what the object held while it was loaded, each seen in the kernel's own lists */
    private KernelIds loadAttachReadAndClose() throws Exception {
        BpfObject obj = TestObjects.open("apiary_test");
        obj.globals().set("target_tgid", TestObjects.SELF);
        obj.load();
        List<BpfLink> links = new ArrayList<>(obj.attachAll());
        links.add(obj.program("test_xdp").attachXdp("lo", XdpMode.GENERIC));
        Set<Integer> programs = obj.programs().stream().map(BpfProgram::id).collect(Collectors.toSet());
        Set<Integer> maps = obj.maps().stream().map(BpfMap::id).collect(Collectors.toSet());
        Set<Integer> linkIds = links.stream().map(BpfLink::id).collect(Collectors.toSet());
        assertTrue(KernelBpfObjects.programIds().containsAll(programs));
        assertTrue(KernelBpfObjects.mapIds().containsAll(maps));
        assertTrue(KernelBpfObjects.linkIds().containsAll(linkIds));
        RingBuffer ring = obj.ringBuffer();
        Files.readAllBytes(Files.writeString(dir.resolve("f"), "x"));
        assertTrue(ring.consume(r -> { }) > 0);
        obj.btf().struct("test_event");
        ring.close();
        ring.close();
        obj.close();
        obj.close();
        assertTrue(links.stream().noneMatch(BpfLink::isOpen));
        return new KernelIds(programs, maps, linkIds);
    }

    @Test
    void aProgramTheVerifierRejectsThrowsItsLogAndLeaksNothing() throws Exception {
        assertThrows(BpfException.class, () -> loadRejected()); // warm-up: classes, libraries
        Set<Integer> programs = KernelBpfObjects.programIds();
        Set<Integer> maps = KernelBpfObjects.mapIds();
        int fds = TestObjects.openFds().size();

        BpfException e = assertThrows(BpfException.class, this::loadRejected);

        assertEquals(13, e.errno(), "EACCES from the verifier: " + e.getMessage());
        assertTrue(e.verifierLog().orElseThrow().contains("map_value_or_null"), e.getMessage());
        assertTrue(e.getMessage().contains("EACCES"), e.getMessage());
        assertTrue(e.getMessage().contains("unchecked_lookup"), "libbpf names the program: " + e.getMessage());
        // Nothing new may remain; ids of earlier tests' objects may still be leaving (RCU-deferred frees).
        assertTrue(eventually(() -> programs.containsAll(KernelBpfObjects.programIds())), "no program left behind");
        assertTrue(eventually(() -> maps.containsAll(KernelBpfObjects.mapIds())), "no map left behind");
        assertEquals(fds, TestObjects.openFds().size());
    }

    @Test
    void loadAndAttachClosesAnObjectTheVerifierRejects() {
        BpfObject obj = TestObjects.open("rejected");
        BpfException e = assertThrows(BpfException.class, obj::loadAndAttach);
        assertTrue(e.verifierLog().isPresent(), e.getMessage());
        BpfException closed = assertThrows(BpfException.class, obj::globals, "closed after the failure");
        assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
    }

    private void loadRejected() {
        try (BpfObject obj = TestObjects.open("rejected")) {
            obj.load();
        }
    }

    @Test
    void readOnlyGlobalsChangeWhatTheProgramDoes() throws Exception {
        Path file = Files.writeString(dir.resolve("configured"), "x");
        assertEquals(1, opensSeen(file, TestObjects.SELF, true));
        assertEquals(0, opensSeen(file, TestObjects.SELF, false), "report_opens=false turns the program off");
        assertEquals(0, opensSeen(file, 1, true), "another target process");
    }

    private static long opensSeen(Path file, int target, boolean report) throws Exception {
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            obj.globals().set("target_tgid", target).set("report_opens", report);
            assertEquals(target, Bytes.toU32(obj.globals().get("target_tgid")));
            obj.load();
            obj.attachAll();
            try (RingBuffer ring = obj.ringBuffer()) {
                Files.readAllBytes(file);
                return TestObjects.drain(ring).stream().map(TestEvent::path).filter(file.toString()::equals).count();
            }
        }
    }

    @Test
    void wrongConfigurationIsRefusedWithAClearMessage() {
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            BpfException unknown = assertThrows(BpfException.class, () -> obj.globals().set("no_such_global", 1));
            assertTrue(unknown.getMessage().contains("target_tgid"), "lists the globals there are: " + unknown.getMessage());
            BpfException size = assertThrows(BpfException.class, () -> obj.globals().set("target_tgid", 1L));
            assertTrue(size.getMessage().contains("4 bytes"), size.getMessage());
            assertThrows(BpfException.class, () -> obj.map("apiary_events").setMaxEntries(5000));
            assertThrows(BpfException.class, () -> obj.program("no_such_program"));
            obj.load();
            BpfException late = assertThrows(BpfException.class, () -> obj.globals().set("target_tgid", 1));
            assertTrue(late.getMessage().contains("after it is loaded"), late.getMessage());
            assertThrows(BpfException.class, obj::load);
        }
    }

    @Test
    void openingSomethingThatIsNotABpfObjectFails() {
        BpfException e = assertThrows(BpfException.class,
                () -> BpfObject.open("not an ELF file".getBytes(StandardCharsets.US_ASCII), "garbage"));
        assertTrue(e.getMessage().startsWith("cannot open BPF object 'garbage'"), e.getMessage());
        assertTrue(e.errno() > 0);
    }

    @Test
    void opensFromAPath() throws Exception {
        Path copy = dir.resolve("copy.bpf.o");
        try (var in = TestObjects.class.getResourceAsStream("/bpf/apiary_test.bpf.o")) {
            Files.copy(in, copy);
        }
        try (BpfObject obj = BpfObject.open(copy)) {
            assertEquals("copy", obj.name());
            obj.load();
            assertTrue(obj.program("test_openat").fd() > 0);
        }
    }
}
