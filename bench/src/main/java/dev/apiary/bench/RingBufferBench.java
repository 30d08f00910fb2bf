package dev.apiary.bench;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.BpfProgram;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.RingBuffer;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * CPU cost per record of {@link RingBuffer#consume}: the Java half of the ring-buffer
 * reader benchmark; the C half is bench/c/ringbuf_consume.c, and bench/run runs both.
 *
 * <p>Each round fills the ring with the {@code ringfill} program of ringfill.bpf.o (one
 * BPF_PROG_TEST_RUN, records written on this thread), then times one {@code consume} that
 * drains it: thread CPU time (CLOCK_THREAD_CPUTIME_ID, through ThreadMXBean) and wall time,
 * divided by the records read. Warm-up rounds come first so C2 has compiled the loop.
 *
 * <p>Output, one line each, {@code key=value} after a leading word:
 * <pre>
 * config impl=java ...
 * round  impl=java round=N records=R cpu_ns=.. wall_ns=.. cpu_ns_per_record=.. wall_ns_per_record=.. alloc_bytes=..
 * result impl=java rounds=N records=R record_bytes=80 cpu_ns_per_record=MEDIAN wall_ns_per_record=MEDIAN ...
 * </pre>
 * Diagnostics go to stderr. Exits non-zero when a check fails (records lost, fewer read
 * than written, wrong contents).
 *
 * <p>Options: {@code --object PATH} (default: the copy on the class path), {@code --ring-bytes N},
 * {@code --records N} (0: as many as fit in 90% of the ring), {@code --warmup N},
 * {@code --rounds N}, {@code --mode empty|touch}, {@code --handler-types N} (1-3: warm-up rounds
 * rotate through N handler classes, as several trackers sharing one {@code consume} would; the
 * measured rounds still use the mode's handler), {@code --quiet} (no round lines).
 */
public final class RingBufferBench {

    /** What the handler does per record; the C consumer has the same two modes. */
    enum Mode {
        /** Counts the record and nothing else: the C side's callback is empty. */
        EMPTY,
        /** Reads the header's event type and the payload's u64, as a dispatching reader would. */
        TOUCH
    }

    /** The kernel's per-record header in the ring. */
    private static final int RING_RECORD_HEADER = 8;
    private static final int FILL_EVENT_TYPE = 1;

    private RingBufferBench() {
    }

    public static void main(String[] args) throws Exception {
        Path object = null;
        int ringBytes = 16 << 20;
        int records = 0;
        int warmup = 30;
        int rounds = 30;
        Mode mode = Mode.EMPTY;
        int handlerTypes = 1;
        boolean quiet = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--object" -> object = Path.of(args[++i]);
                case "--ring-bytes" -> ringBytes = Integer.parseInt(args[++i]);
                case "--records" -> records = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--mode" -> mode = Mode.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--handler-types" -> handlerTypes = Integer.parseInt(args[++i]);
                case "--quiet" -> quiet = true;
                default -> usage("unknown option " + args[i]);
            }
        }
        if (Integer.bitCount(ringBytes) != 1 || ringBytes < 4096) {
            usage("--ring-bytes must be a power of two, at least a page");
        }
        if (rounds < 1 || warmup < 0) {
            usage("--rounds must be at least 1, --warmup at least 0");
        }
        if (handlerTypes < 1 || handlerTypes > 3) {
            usage("--handler-types is 1, 2 or 3");
        }

        byte[] elf;
        if (object != null) {
            elf = Files.readAllBytes(object);
        } else {
            try (InputStream in = RingBufferBench.class.getResourceAsStream("/bpf/ringfill.bpf.o")) {
                if (in == null) {
                    usage("ringfill.bpf.o is not on the class path; pass --object");
                }
                elf = in.readAllBytes();
            }
        }

        try (BpfObject obj = BpfObject.open(elf, "ringfill")) {
            long recordBytes = obj.btf().layout("bench_event").byteSize();
            long slot = (recordBytes + RING_RECORD_HEADER + 7) & ~7L;
            if (records == 0) {
                records = (int) (ringBytes * 9L / 10 / slot);
            }
            if ((long) records * slot > ringBytes) {
                usage(records + " records of " + slot + " bytes do not fit in a ring of " + ringBytes + " bytes");
            }
            obj.globals().set("fill_count", records);
            obj.globals().set("apiary_wakeup_bytes", -1); // 0xffffffff: never wake; nobody polls
            obj.map("apiary_events").setMaxEntries(ringBytes);
            obj.load();
            BpfProgram fill = obj.program("ringfill");

            System.out.printf(Locale.ROOT, "config impl=java mode=%s ring_bytes=%d records=%d record_bytes=%d "
                            + "ring_slot_bytes=%d warmup=%d rounds=%d handler_types=%d java=%s vm=\"%s\"%n",
                    mode.name().toLowerCase(Locale.ROOT), ringBytes, records, recordBytes, slot, warmup, rounds,
                    handlerTypes, Runtime.version(), System.getProperty("java.vm.name"));

            try (RingBuffer ring = obj.ringBuffer()) {
                CountingHandler measured = mode == Mode.EMPTY ? new Counter() : new Toucher();
                CountingHandler[] all = {measured, mode == Mode.EMPTY ? new Toucher() : new Counter(), new Sizer()};
                CountingHandler[] warming = Arrays.copyOf(all, handlerTypes);
                Measure m = run(measured, warming, fill, ring, records, slot, warmup, rounds, quiet);
                // Last, so its handler type never reaches the measured call site's profile.
                verifyContents(fill, ring, records, recordBytes, slot);

                double[] cpu = m.cpuPerRecord;
                double[] wall = m.wallPerRecord;
                System.out.printf(Locale.ROOT, "result impl=java mode=%s rounds=%d records=%d record_bytes=%d "
                                + "cpu_ns_per_record=%.3f wall_ns_per_record=%.3f cpu_min=%.3f cpu_max=%.3f "
                                + "alloc_bytes_per_record=%.3f gc_collections=%d%n",
                        mode.name().toLowerCase(Locale.ROOT), rounds, records, recordBytes,
                        median(cpu), median(wall), min(cpu), max(cpu),
                        (double) m.allocatedBytes / ((long) records * rounds), m.gcCollections);
            }
        }
    }

    /** A handler with a count the bench can check; the only work of {@link Counter}. */
    private abstract static class CountingHandler implements RingBuffer.RecordHandler {
        long count;
    }

    private static final class Counter extends CountingHandler {
        @Override
        public void onRecord(MemorySegment record) {
            count++;
        }
    }

    private static final class Toucher extends CountingHandler {
        private static final long SEQ = EventHeader.SIZE;
        long sum;

        @Override
        public void onRecord(MemorySegment record) {
            count++;
            sum += EventHeader.type(record) + record.get(ValueLayout.JAVA_LONG_UNALIGNED, SEQ);
        }
    }

    /** A third kind of handler, only to make the call site in consume megamorphic (--handler-types 3). */
    private static final class Sizer extends CountingHandler {
        long bytes;

        @Override
        public void onRecord(MemorySegment record) {
            count++;
            bytes += record.byteSize();
        }
    }

    private record Measure(double[] cpuPerRecord, double[] wallPerRecord, long allocatedBytes, long gcCollections) {
    }

    private static Measure run(CountingHandler measured, CountingHandler[] warming, BpfProgram fill, RingBuffer ring,
            int records, long slot, int warmup, int rounds, boolean quiet) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isCurrentThreadCpuTimeSupported()) {
            fail("this JVM cannot measure thread CPU time");
        }
        threads.setThreadCpuTimeEnabled(true);
        double[] cpu = new double[rounds];
        double[] wall = new double[rounds];
        long allocated = 0;
        long gcBefore = 0;
        for (int round = -warmup; round < rounds; round++) {
            if (round == 0) {
                gcBefore = gcCount();
            }
            fillRing(fill, ring, records, slot);
            CountingHandler handler = round < 0 ? warming[Math.floorMod(round, warming.length)] : measured;
            handler.count = 0;

            long alloc0 = threads.getCurrentThreadAllocatedBytes();
            long wall0 = System.nanoTime();
            long cpu0 = threads.getCurrentThreadCpuTime();
            int read = ring.consume(handler);
            long cpu1 = threads.getCurrentThreadCpuTime();
            long wall1 = System.nanoTime();
            long alloc1 = threads.getCurrentThreadAllocatedBytes();

            if (read != records || handler.count != records || ring.available() != 0) {
                fail("round " + round + ": consume returned " + read + ", handler saw " + handler.count
                        + ", " + ring.available() + " bytes left; " + records + " were written");
            }
            if (round < 0) {
                continue;
            }
            cpu[round] = (double) (cpu1 - cpu0) / records;
            wall[round] = (double) (wall1 - wall0) / records;
            allocated += alloc1 - alloc0;
            if (!quiet) {
                System.out.printf(Locale.ROOT, "round impl=java round=%d records=%d cpu_ns=%d wall_ns=%d "
                                + "cpu_ns_per_record=%.3f wall_ns_per_record=%.3f alloc_bytes=%d%n",
                        round, records, cpu1 - cpu0, wall1 - wall0, cpu[round], wall[round], alloc1 - alloc0);
            }
        }
        if (measured instanceof Toucher t && t.sum == 42) {
            System.err.println("(sum printed so the JIT keeps it: " + t.sum + ")");
        }
        return new Measure(cpu, wall, allocated, gcCount() - gcBefore);
    }

    /** One BPF_PROG_TEST_RUN: the ring must take every record, with nothing lost. */
    private static void fillRing(BpfProgram fill, RingBuffer ring, int records, long slot) {
        if (ring.available() != 0) {
            fail("the ring is not empty before a fill: " + ring.available() + " bytes");
        }
        int written = fill.run();
        long lost = ring.lostCount();
        if (written != records || lost != 0) {
            fail("the fill wrote " + written + " of " + records + " records, lost count " + lost
                    + ": make the ring bigger or --records smaller");
        }
        if (ring.available() != (long) records * slot) {
            fail("the ring holds " + ring.available() + " bytes after the fill, not " + (long) records * slot);
        }
    }

    /** Reads one more fill record by record: size, type, sequence and the writer's thread. */
    private static void verifyContents(BpfProgram fill, RingBuffer ring, int records, long recordBytes, long slot) {
        fillRing(fill, ring, records, slot);
        long[] next = {0};
        int read = ring.consume(record -> {
            long i = next[0]++;
            if (record.byteSize() != recordBytes) {
                fail("record " + i + " is " + record.byteSize() + " bytes, not " + recordBytes);
            }
            EventHeader h = EventHeader.read(record);
            long seq = record.get(ValueLayout.JAVA_LONG_UNALIGNED, EventHeader.SIZE);
            if (h.type() != FILL_EVENT_TYPE || seq != i || h.pid() != ProcessHandle.current().pid()) {
                fail("record " + i + " reads type " + h.type() + ", seq " + seq + ", pid " + h.pid());
            }
        });
        if (read != records) {
            fail("the verification fill read " + read + " of " + records + " records");
        }
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static void fail(String message) {
        System.err.println("ringbuf-bench (java): " + message);
        System.exit(1);
    }

    private static void usage(String message) {
        System.err.println("ringbuf-bench (java): " + message);
        System.err.println("usage: RingBufferBench [--object ringfill.bpf.o] [--ring-bytes N] [--records N]"
                + " [--warmup N] [--rounds N] [--mode empty|touch] [--handler-types 1-3] [--quiet]");
        System.exit(2);
    }
}
