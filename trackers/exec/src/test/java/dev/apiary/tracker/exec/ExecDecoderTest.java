package dev.apiary.tracker.exec;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.Records;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.EventFields;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Records built by hand in the layout of exec.bpf.o's BTF (the object is only opened, not
 * loaded: no privileges needed), for the cases a real exec rarely produces.
 */
class ExecDecoderTest {

    private static BpfObject obj;
    private static ExecDecoder decoder;
    private final Arena arena = Arena.ofAuto();

    @BeforeAll
    static void open() {
        obj = BpfObject.open(Path.of("target/classes/bpf/exec.bpf.o"));
        decoder = EventDecoder.checkLayouts(new ExecDecoder(), obj);
    }

    @AfterAll
    static void close() {
        obj.close();
    }

    @Test
    void theObjectsStructsHaveTheJavaLayouts() {
        assertEquals(ExecDecoder.EXEC_LAYOUT, obj.btf().layout("exec_event"));
        assertEquals(ExecDecoder.EXIT_LAYOUT, obj.btf().layout("exit_event"));
    }

    @Test
    void aDecoderWhoseLayoutDiffersFromTheObjectIsRefusedNamingTheStruct() {
        EventDecoder changed = new EventDecoder() {
            @Override
            public dev.apiary.sdk.Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
                return null;
            }

            @Override
            public List<MemoryLayout> layouts() {
                return List.of(ExecDecoder.EXIT_LAYOUT.withName("exec_event")); // a struct changed on one side only
            }
        };
        var refused = assertThrows(dev.apiary.bpf.BpfException.class, () -> EventDecoder.checkLayouts(changed, obj));
        assertTrue(refused.getMessage().contains("exec_event"), refused.getMessage());

        EventDecoder unnamed = new EventDecoder() {
            @Override
            public dev.apiary.sdk.Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
                return null;
            }

            @Override
            public List<MemoryLayout> layouts() {
                return List.of(MemoryLayout.structLayout(JAVA_INT));
            }
        };
        assertThrows(IllegalArgumentException.class, () -> EventDecoder.checkLayouts(unnamed, obj));
    }

    @Test
    void flagsBecomeBooleans() {
        MemorySegment r = exec(0, ExecDecoder.FLAG_PATH_CUT | ExecDecoder.FLAG_ARGS_UNSEEN, List.of(), "/very/long/cut");
        ExecEvent e = (ExecEvent) decoder.decode(r, EventHeader.read(r), ContainerRef.HOST);
        assertTrue(e.pathCut());
        assertTrue(e.argsUnseen());
        assertEquals(List.of(), e.args());
        assertEquals("/very/long/cut", e.commandLine(), "no arguments: the path stands for the command");
        assertEquals(List.of("path", "args", "argsCut", "ret", "pathCut", "argsUnseen", "processStartNs"),
                List.copyOf(EventFields.of(e).keySet()));
    }

    @Test
    void aMalformedArgumentCountIsAnError() {
        MemorySegment r = exec(0, 0, List.of("a"), "/x");
        r.set(JAVA_INT, Records.offset(ExecDecoder.EXEC_LAYOUT, "args_count"), ExecDecoder.MAX_ARGS + 1);
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(r, EventHeader.read(r), ContainerRef.HOST));
    }

    @Test
    void waitStatusesBecomeCodeSignalAndCore() {
        ExitEvent exited = exit(42 << 8);
        assertEquals(42, exited.exitCode());
        assertEquals(0, exited.signal());
        ExitEvent dumped = exit(0x80 | 11);
        assertEquals(-1, dumped.exitCode());
        assertEquals(11, dumped.signal());
        assertEquals("SIGSEGV", dumped.signalName());
        assertTrue(dumped.coreDumped());
        assertEquals(List.of("exitCode", "signal", "coreDumped", "lifetimeNs", "processStartNs"),
                List.copyOf(EventFields.of(dumped).keySet()));
    }

    private ExitEvent exit(int status) {
        MemorySegment r = arena.allocate(ExecDecoder.EXIT_LAYOUT);
        r.set(JAVA_INT, Records.offset(EventHeader.LAYOUT, "type"), ExecDecoder.EXIT);
        r.set(JAVA_LONG, Records.offset(ExecDecoder.EXIT_LAYOUT, "lifetime_ns"), 5);
        r.set(JAVA_INT, Records.offset(ExecDecoder.EXIT_LAYOUT, "status"), status);
        return (ExitEvent) decoder.decode(r, EventHeader.read(r), ContainerRef.HOST);
    }

    @Test
    void aRecordShorterThanItsSizesSayIsAnError() {
        MemorySegment whole = exec(0, 0, List.of("ls", "-l"), "/bin/ls");
        MemorySegment cut = whole.asSlice(0, whole.byteSize() - 1);
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(cut, EventHeader.read(cut), ContainerRef.HOST));
    }

    @Test
    void onlyTheUsedBytesAreRead() {
        MemorySegment r = exec(-2, 0, List.of("ls", "-l"), "/bin/ls");
        assertEquals(Records.offset(ExecDecoder.EXEC_LAYOUT, "data") + "ls\0-l\0/bin/ls\0".length(), r.byteSize());
        ExecEvent e = (ExecEvent) decoder.decode(r, EventHeader.read(r), ContainerRef.HOST);
        assertEquals("/bin/ls", e.path());
        assertEquals(List.of("ls", "-l"), e.args());
        assertEquals(-2, e.ret());
    }

    /** A record as exec.bpf.c sends it: cut after the path's NUL. */
    private MemorySegment exec(int ret, int flags, List<String> args, String path) {
        MemorySegment r = arena.allocate(ExecDecoder.EXEC_LAYOUT);
        r.set(JAVA_INT, Records.offset(EventHeader.LAYOUT, "type"), ExecDecoder.EXEC);
        r.set(JAVA_INT, Records.offset(ExecDecoder.EXEC_LAYOUT, "ret"), ret);
        r.set(JAVA_INT, Records.offset(ExecDecoder.EXEC_LAYOUT, "flags"), flags);
        long at = Records.offset(ExecDecoder.EXEC_LAYOUT, "data");
        int size = 0;
        for (String a : args) {
            byte[] b = (a + "\0").getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(b, 0, r, JAVA_BYTE, at + size, b.length);
            size += b.length;
        }
        r.set(JAVA_INT, Records.offset(ExecDecoder.EXEC_LAYOUT, "args_count"), args.size());
        r.set(JAVA_INT, Records.offset(ExecDecoder.EXEC_LAYOUT, "args_size"), size);
        byte[] p = (path + "\0").getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(p, 0, r, JAVA_BYTE, at + size, p.length);
        r.set(JAVA_INT, Records.offset(ExecDecoder.EXEC_LAYOUT, "path_size"), p.length);
        return r.asSlice(0, at + size + p.length);
    }
}
