package dev.apiary.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The test BPF objects built from src/test/bpf, and what their records hold. */
final class TestObjects {

    static final int EVENT_OPEN = 1;
    static final int EVENT_EXEC = 2;
    static final int EVENT_FILL = 3;
    static final int PATH_LEN = 256;
    static final int O_TRUNC = 01000;

    /** struct test_event's field offsets, after the common header. */
    static final long FLAGS = EventHeader.SIZE;
    static final long PATH_LEN_FIELD = FLAGS + 4;
    static final long PATH = PATH_LEN_FIELD + 4;
    static final long EVENT_SIZE = PATH + PATH_LEN;

    static final int SELF = (int) ProcessHandle.current().pid();

    private TestObjects() {
    }

    static BpfObject open(String name) {
        try (InputStream in = TestObjects.class.getResourceAsStream("/bpf/" + name + ".bpf.o")) {
            if (in == null) {
                throw new IllegalStateException("test object " + name + ".bpf.o not built (src/test/bpf)");
            }
            return BpfObject.open(in, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** apiary_test loaded with one global set and every program that can attach itself attached. */
    static BpfObject attached(String global, int value) {
        BpfObject obj = open("apiary_test");
        try {
            obj.globals().set(global, value);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
        return obj.loadAndAttach();
    }

    /** A copied test_event record. */
    record TestEvent(EventHeader header, int flags, int pathLen, String path) {
        static TestEvent read(MemorySegment record) {
            return new TestEvent(EventHeader.read(record),
                    record.get(ValueLayout.JAVA_INT_UNALIGNED, FLAGS),
                    record.get(ValueLayout.JAVA_INT_UNALIGNED, PATH_LEN_FIELD),
                    BtfType.readCString(record, PATH, PATH_LEN));
        }
    }

    /** Drains the ring, copying each record. */
    static List<TestEvent> drain(RingBuffer ring) {
        List<TestEvent> events = new ArrayList<>();
        ring.consume(r -> events.add(TestEvent.read(r)));
        return events;
    }

    /** The open fds of this process by what they point at (anon_inode:bpf-map, a path, ...). */
    static List<String> openFds() {
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException gone) {
                    // the fd of the listing itself closes under us
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return targets;
    }

    /** The comm (thread name the kernel keeps) of one of this process's threads. */
    static String threadComm(int tid) {
        try {
            return Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
