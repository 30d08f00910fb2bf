package dev.apiary.tracker.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.RingBuffer;
import dev.apiary.bpf.testing.RequiresBpf;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The settings take effect in the loaded object: the ring's size, and {@code follow_runtimes},
 * with nothing watched (an empty watch map), so that only a runtime's task can be reported: a
 * copy of unshare(1) named {@code runc-apiary} (a command name starting with "runc").
 */
@RequiresBpf
class NamespaceSettingsBpfTest {

    private static final Path OBJECT = Path.of("target/classes/bpf/namespace.bpf.o");

    /** The object loaded and attached with {@code settings}, watching nothing. */
    private record Loaded(BpfObject obj, RingBuffer ring, NamespaceDecoder decoder) implements AutoCloseable {

        static Loaded of(Map<String, ?> settings) {
            BpfObject obj = BpfObject.open(OBJECT);
            NamespaceDecoder decoder = new NamespaceDecoder(new CgroupHierarchies(Path.of("/proc/cgroups")));
            new NamespaceTracker(TestConfig.of(NamespaceTracker.Config.class, settings)).configure(obj, decoder);
            obj.load();
            obj.attachAll();
            return new Loaded(obj, obj.ringBuffer(), decoder);
        }

        /** The events of {@code pid} waiting in the ring now. */
        List<Event> eventsOf(long pid) {
            List<Event> out = new ArrayList<>();
            ring.consume(r -> {
                EventHeader h = EventHeader.read(r);
                if (h.pid() == pid) {
                    out.add(decoder.decode(r, h, ContainerRef.HOST));
                }
            });
            return out;
        }

        @Override
        public void close() {
            ring.close();
            obj.close();
        }
    }

    @Test
    void theRingIsTheConfiguredSize() {
        try (Loaded loaded = Loaded.of(Map.of("ring_kb", 300))) {
            assertEquals(512 * 1024, loaded.obj().map("apiary_events").maxEntries(), "300 KiB rounded up to 512");
        }
        try (Loaded loaded = Loaded.of(Map.of())) {
            assertEquals(4 << 20, loaded.obj().map("apiary_events").maxEntries(), "the default, 4 MiB");
        }
    }

    @Test
    void aRuntimesTaskIsReportedOnlyWhenRuntimesAreFollowed() throws Exception {
        Path runc = Path.of("target/runtime-test/runc-apiary");
        Files.createDirectories(runc.getParent());
        Files.copy(Path.of("/usr/bin/unshare"), runc, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(runc.toFile().setExecutable(true));
        try (Loaded followed = Loaded.of(Map.of()); Loaded alone = Loaded.of(Map.of("follow_runtimes", false))) {
            Process p = new ProcessBuilder(runc.toAbsolutePath().toString(), "--uts", "true").start();
            assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
            // Records are in the ring when the syscall returns, before the process exits.
            List<Event> seen = followed.eventsOf(p.pid());
            assertTrue(seen.stream().anyMatch(e -> e.type().equals("unshare")
                    && e.header().comm().equals("runc-apiary")), "the runtime's unshare: " + seen);
            assertEquals(List.of(), alone.eventsOf(p.pid()), "follow_runtimes=false: not watched, not reported");
        }
    }
}
