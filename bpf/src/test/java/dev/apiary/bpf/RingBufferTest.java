package dev.apiary.bpf;

import dev.apiary.bpf.testing.RequiresBpf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.TestObjects.TestEvent;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records written by real programs on real kernel events, read back through {@link RingBuffer}. */
@RequiresBpf
class RingBufferTest {

    @TempDir
    Path dir;

    @Test
    void opensOfThisProcessArriveWithPidTidAndComm() throws Exception {
        Path file = Files.writeString(dir.resolve("opened-five-times"), "x");
        try (BpfObject obj = TestObjects.attached("target_tgid", TestObjects.SELF)) {
            try (RingBuffer ring = obj.ringBuffer()) {
                TestObjects.drain(ring);
                for (int i = 0; i < 5; i++) {
                    Files.readAllBytes(file);
                }
                List<TestEvent> opens = TestObjects.drain(ring).stream()
                        .filter(e -> e.path().equals(file.toString()))
                        .toList();
                assertEquals(5, opens.size(), "one record per open of " + file);
                for (TestEvent e : opens) {
                    assertEquals(TestObjects.EVENT_OPEN, e.header().type());
                    assertEquals(TestObjects.SELF, e.header().pid());
                    assertEquals(TestObjects.threadComm(e.header().tid()), e.header().comm());
                    assertEquals(file.toString().length() + 1, e.pathLen());
                    assertEquals(0, e.flags() & TestObjects.O_TRUNC);
                    assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString(),
                            "mnt:[" + e.header().mntNs() + "]");
                    assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(),
                            "net:[" + e.header().netNs() + "]");
                    assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(),
                            "pid:[" + e.header().pidNs() + "]");
                    assertTrue(e.header().cgroupId() > 0);
                }
                assertEquals(0, ring.lostCount());
            }
        }
    }

    @Test
    void discardedRecordsAreSkipped() throws Exception {
        Path truncated = dir.resolve("truncated");
        Path read = Files.writeString(dir.resolve("read"), "x");
        try (BpfObject obj = TestObjects.attached("target_tgid", TestObjects.SELF)) {
            try (RingBuffer ring = obj.ringBuffer()) {
                TestObjects.drain(ring);
                Files.writeString(truncated, "discarded: opened with O_TRUNC");
                Files.readAllBytes(read);
                List<TestEvent> events = TestObjects.drain(ring);
                assertTrue(events.stream().noneMatch(e -> e.path().equals(truncated.toString())),
                        "the O_TRUNC open was discarded in BPF and must not be delivered");
                assertEquals(1, events.stream().filter(e -> e.path().equals(read.toString())).count(),
                        "the record after the discarded one is delivered");
                assertEquals(0, ring.available(), "discarded space is consumed too");
            }
        }
    }

    @Test
    void execOfAChildArrivesFromTpBtfWithTheResolvedPath() throws Exception {
        Path trueBinary = Path.of("/bin/true").toRealPath();
        try (BpfObject obj = TestObjects.attached("exec_parent_tgid", TestObjects.SELF)) {
            try (RingBuffer ring = obj.ringBuffer()) {
                Process child = new ProcessBuilder("/bin/true").start();
                assertEquals(0, child.waitFor());
                List<TestEvent> execs = TestObjects.drain(ring).stream()
                        .filter(e -> e.header().type() == TestObjects.EVENT_EXEC)
                        .filter(e -> e.path().equals(trueBinary.toString()))
                        .toList();
                assertEquals(1, execs.size(), "exactly one exec of " + trueBinary);
                TestEvent exec = execs.get(0);
                assertEquals(child.pid(), exec.header().pid());
                assertEquals(TestObjects.SELF, exec.header().ppid());
                assertEquals(trueBinary.getFileName().toString(), exec.header().comm());
            }
        }
    }

    @Test
    void aFullRingCountsWhatItLosesAndAvailableTracksWaitingBytes() {
        int produced = 200;
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            obj.globals().set("fill_count", produced).set("target_tgid", TestObjects.SELF);
            obj.map("apiary_events").setMaxEntries((int) Native.PAGE_SIZE); // room for a handful
            obj.load();
            try (RingBuffer ring = obj.ringBuffer()) {
                obj.program("test_fill").run();
                long recordBytes = (TestObjects.EVENT_SIZE + 8 + 7) & ~7L;
                long fitted = ring.available() / recordBytes;
                assertTrue(fitted > 0 && fitted < produced);
                assertEquals(fitted * recordBytes, ring.available());
                List<TestEvent> events = TestObjects.drain(ring);
                assertEquals(fitted, events.size());
                assertEquals(produced - fitted, ring.lostCount(), "every failed reserve is counted");
                for (int i = 0; i < events.size(); i++) {
                    assertEquals(TestObjects.EVENT_FILL, events.get(i).header().type());
                    assertEquals(i, events.get(i).flags(), "records arrive in order");
                }
                assertEquals(0, ring.available());
            }
        }
    }

    @Test
    void recordsThatWrapAroundTheEndAreWhole() {
        int perRound = 7;
        int rounds = 20;
        long ringSize = Native.PAGE_SIZE;
        long recordBytes = (TestObjects.EVENT_SIZE + 8 + 7) & ~7L; // 344: the ring's end falls inside some
        long split = LongStream.range(0, perRound * rounds)
                .map(k -> k * recordBytes % ringSize)
                .filter(at -> at + 8 < ringSize && at + recordBytes > ringSize)
                .count();
        assertTrue(split >= 5, "the run splits records at the ring's end: " + split);
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            obj.globals().set("fill_count", perRound).set("target_tgid", TestObjects.SELF);
            obj.map("apiary_events").setMaxEntries((int) ringSize);
            obj.load();
            try (RingBuffer ring = obj.ringBuffer()) {
                for (int round = 0; round < rounds; round++) {
                    obj.program("test_fill").run();
                    List<Integer> flags = new ArrayList<>();
                    int fRound = round;
                    int read = ring.consume(record -> {
                        assertEquals(TestObjects.EVENT_SIZE, record.byteSize());
                        TestEvent e = TestEvent.read(record);
                        assertEquals(TestObjects.SELF, e.header().pid(), "round " + fRound);
                        // Its first and its last byte: a record split at the end comes whole.
                        assertEquals((byte) (e.flags() + 1), record.get(ValueLayout.JAVA_BYTE, TestObjects.EVENT_SIZE - 1),
                                "round " + fRound + ", record " + e.flags());
                        flags.add(e.flags());
                    });
                    assertEquals(perRound, read, "round " + round);
                    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), flags, "round " + round);
                }
                assertEquals(0, ring.lostCount());
            }
        }
    }

    @Test
    void theDataAreaIsMappedOnceNotTwice() throws Exception {
        int ringSize = 1 << 20;
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            obj.globals().set("fill_count", 1).set("target_tgid", TestObjects.SELF);
            obj.map("apiary_events").setMaxEntries(ringSize);
            obj.load();
            try (RingBuffer ring = obj.ringBuffer()) {
                obj.program("test_fill").run();
                long[] at = new long[1];
                assertEquals(1, ring.consume(record -> at[0] = record.address()));
                // The mapping the record lies in: the producer's page and the data, once (libbpf's is
                // the page and the data twice: every page resident twice).
                String line = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> {
                    String[] range = l.substring(0, l.indexOf(' ')).split("-");
                    return Long.parseUnsignedLong(range[0], 16) <= at[0] && at[0] < Long.parseUnsignedLong(range[1], 16);
                }).findFirst().orElseThrow();
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                long length = Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
                assertEquals(Native.PAGE_SIZE + ringSize, length, line);
                assertTrue(line.contains("bpf-map"), line);
            }
        }
    }

    @Test
    void theWakeupThresholdDecidesWhetherTheReaderIsWoken() {
        assertTrue(fillAndWait(0), "threshold 0: every submit wakes the reader");
        assertFalse(fillAndWait(1 << 20), "threshold above what waits: no wakeup, the reader finds it on its timeout");
    }

    private static boolean fillAndWait(int wakeupBytes) {
        try (BpfObject obj = TestObjects.open("apiary_test")) {
            obj.globals().set("fill_count", 3).set("apiary_wakeup_bytes", wakeupBytes);
            obj.load();
            try (RingBuffer ring = obj.ringBuffer()) {
                ring.waitForData(Duration.ZERO); // nothing waits yet
                Thread filler = Thread.ofPlatform().start(() -> {
                    sleep(100);
                    obj.program("test_fill").run();
                });
                boolean woken = ring.waitForData(Duration.ofMillis(1500));
                join(filler);
                assertEquals(3, ring.poll(Duration.ZERO, r -> { }), "the records are there either way");
                return woken;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aPollerOverSeveralRingsWakesForTheOneThatHasData() throws Exception {
        Path file = Files.writeString(dir.resolve("polled"), "x");
        try (BpfObject quiet = TestObjects.attached("target_tgid", -1);
                BpfObject busy = TestObjects.attached("target_tgid", TestObjects.SELF);
                RingBuffer quietRing = quiet.ringBuffer();
                RingBuffer busyRing = busy.ringBuffer();
                RingPoller poller = new RingPoller()) {
            poller.add(quietRing);
            poller.add(busyRing);
            TestObjects.drain(busyRing);
            while (poller.await(Duration.ZERO) > 0) {
                TestObjects.drain(busyRing);
            }
            assertEquals(0, poller.await(Duration.ofMillis(50)), "nothing written, nothing signalled");
            Files.readAllBytes(file);
            assertEquals(1, poller.await(Duration.ofSeconds(5)), "the busy ring signals");
            assertTrue(TestObjects.drain(busyRing).stream().anyMatch(e -> e.path().equals(file.toString())));
            assertEquals(0, TestObjects.drain(quietRing).size());
            poller.remove(busyRing);
            poller.remove(busyRing);
            Files.readAllBytes(file);
            assertEquals(0, poller.await(Duration.ofMillis(100)), "a removed ring no longer wakes the poller");
        }
    }
}
