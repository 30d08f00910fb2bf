package dev.apiary.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * Reads a BPF ring buffer (BPF_MAP_TYPE_RINGBUF) straight from its mapped pages, without
 * libbpf's per-record upcall.
 *
 * <p>The kernel exposes the ring as: one read-write page holding the consumer position,
 * then one read-only page holding the producer position, then the data area, which it offers
 * twice in a row so that a record that wraps around the end is contiguous. This reader maps
 * the data area once (libbpf maps both: every page counts twice in the process's resident
 * size, 32 MB for a 16 MiB ring) and copies the rare record that wraps into a buffer of its
 * own. Each record starts with an 8-byte header (never split: records are 8-byte aligned): a
 * u32 length whose top two bits mark a record still being written (busy) or given back
 * (discarded), then the record's page offset. The reader loads
 * the producer position and each header with acquire semantics and publishes its consumer
 * position with release semantics, as the kernel's own consumer does.
 *
 * <p>Records reach the {@link RecordHandler} as read-only {@link MemorySegment}s over the
 * ring memory itself (a wrapped one over the reader's copy of it): valid only during the
 * call, since the producer reuses the space once the handler returns. Copy what must outlive
 * the call.
 *
 * <p>Not safe for concurrent use: one thread consumes, and the same thread (or one that
 * knows consume() is not running) closes. For speed, consume() reads the ring's positions
 * and headers without the JVM's per-access liveness checks, so a close() racing a
 * consume() on another thread is not caught and can crash the process. {@link #available()}
 * and {@link #lostCount()} may be read from any thread. Close the reader before its
 * {@link BpfObject}.
 *
 * <p>Records of one size (the usual case: one event struct per tracker) let the reader take
 * the next position from the previous header without waiting for the next header's load,
 * which is what puts it below libbpf's per-record cost (see bench/).
 */
public final class RingBuffer implements AutoCloseable {

    /** Receives one record; the segment is valid only until the method returns. */
    @FunctionalInterface
    public interface RecordHandler {
        void onRecord(MemorySegment record);
    }

    private static final int BUSY_BIT = 1 << 31;
    private static final int DISCARD_BIT = 1 << 30;
    private static final int HEADER_SIZE = 8;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final byte[] LOST_KEY = Bytes.u32(0);
    /**
     * All memory, as one constant segment: consume() reads headers and positions through it at
     * the addresses of this reader's own mappings, so C2 folds away the bounds, alignment and
     * liveness checks of the hot loop. Only used while the reader is open, on its one thread.
     */
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final String name;
    private final int mapFd;
    private final BpfMap lostCounter;
    private final Arena arena;
    private final MemorySegment consumerPage;
    private final MemorySegment producerPage;
    private final MemorySegment data;
    private final long mask;
    /** Where a record that wraps around the data's end is put together; grown when one is larger. */
    private MemorySegment wrapped = MemorySegment.NULL;
    private final int epollFd;
    private final MemorySegment epollEvents;
    private final MemorySegment epollErrno;
    private boolean closed;

    private RingBuffer(String name, int mapFd, long size, BpfMap lostCounter) {
        this.name = name;
        this.mapFd = mapFd;
        this.lostCounter = lostCounter;
        this.mask = size - 1;
        this.arena = Arena.ofShared();
        int epfd = -1;
        try {
            long page = Native.PAGE_SIZE;
            this.consumerPage = map(page, Native.PROT_READ | Native.PROT_WRITE, 0);
            MemorySegment producerAndData = map(page + size, Native.PROT_READ, page).asReadOnly();
            this.producerPage = producerAndData.asSlice(0, page);
            this.data = producerAndData.asSlice(page, size);
            this.epollErrno = Native.errnoState(arena);
            epfd = (int) Native.EPOLL_CREATE1.invokeExact(epollErrno, Native.EPOLL_CLOEXEC);
            if (epfd < 0) {
                throw new BpfException("cannot create an epoll instance for ring buffer '" + name + "'", Native.errno(epollErrno));
            }
            MemorySegment event = arena.allocate(Native.EPOLL_EVENT_SIZE, 4);
            event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, Native.EPOLLIN);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, 0L);
            int err = (int) Native.EPOLL_CTL.invokeExact(epollErrno, epfd, Native.EPOLL_CTL_ADD, mapFd, event);
            if (err < 0) {
                throw new BpfException("cannot watch ring buffer '" + name + "' with epoll", Native.errno(epollErrno));
            }
            this.epollFd = epfd;
            this.epollEvents = arena.allocate(Native.EPOLL_EVENT_SIZE, 4);
        } catch (Throwable t) {
            Native.close(epfd);
            arena.close();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(t);
        }
    }

    /**
     * Opens a reader on a loaded ring-buffer map.
     *
     * @param lostCounter the per-CPU u64 counter the BPF side bumps when a reserve fails, or null
     */
    public static RingBuffer open(BpfMap ring, BpfMap lostCounter) {
        if (!"ringbuf".equals(ring.typeName())) {
            throw new BpfException("map '" + ring.name() + "' is a " + ring.typeName() + " map, not a ring buffer");
        }
        return new RingBuffer(ring.name(), ring.fd(), ring.maxEntries(), lostCounter);
    }

    /**
     * Hands every committed record to {@code handler}, in order, and frees its space.
     * Returns at the first record still being written, or when the ring is empty.
     * If the handler throws, that record counts as consumed and the exception propagates.
     *
     * @return the number of records handed over (discarded ones are skipped, not counted)
     */
    public int consume(RecordHandler handler) {
        checkOpen();
        final MemorySegment data = this.data;
        final long base = data.address();
        final long mask = this.mask;
        final long consumerAddress = consumerPage.address();
        final long producerAddress = producerPage.address();
        int count = 0;
        int lastHeader = -1; // busy and discarded at once: never a committed record's header
        long step = 0;       // ring bytes taken by a record whose header is lastHeader
        long consumer = (long) LONG.get(EVERYTHING, consumerAddress); // only this reader writes it
        while (true) {
            long producer = (long) LONG.getAcquire(EVERYTHING, producerAddress);
            if (consumer >= producer) {
                return count;
            }
            while (consumer < producer) {
                long offset = consumer & mask;
                int header = (int) INT.getAcquire(EVERYTHING, base + offset);
                if (header != lastHeader) {
                    // Rare when events have one size: the next position does not wait for this load.
                    if ((header & BUSY_BIT) != 0) {
                        return count;
                    }
                    lastHeader = header;
                    step = ((header & ~(BUSY_BIT | DISCARD_BIT)) + HEADER_SIZE + 7) & ~7L;
                }
                try {
                    if ((header & DISCARD_BIT) == 0) {
                        count++;
                        long length = header & ~(BUSY_BIT | DISCARD_BIT);
                        long start = (offset + HEADER_SIZE) & mask;
                        handler.onRecord(start + length <= mask + 1 ? data.asSlice(start, length) : unwrap(start, length));
                    }
                } finally {
                    consumer += step;
                    LONG.setRelease(EVERYTHING, consumerAddress, consumer);
                }
            }
        }
    }

    /** The record of {@code length} bytes at {@code start} that runs past the data's end, copied whole. */
    private MemorySegment unwrap(long start, long length) {
        if (wrapped.byteSize() < length) {
            // Grown seldom (records have a few sizes) and freed with the reader: the arena keeps each.
            wrapped = arena.allocate(Math.max(length, 2 * wrapped.byteSize()), 8);
        }
        long head = mask + 1 - start; // the part before the end; the rest is at the data's start
        MemorySegment.copy(data, start, wrapped, 0, head);
        MemorySegment.copy(data, 0, wrapped, head, length - head);
        return wrapped.asSlice(0, length).asReadOnly();
    }

    /**
     * Waits up to {@code timeout} for the kernel to signal data (a producer that submits
     * without waking still has its records read when the wait ends), then consumes.
     *
     * @return the number of records handed over
     */
    public int poll(Duration timeout, RecordHandler handler) {
        int count = consume(handler);
        if (count > 0) {
            return count;
        }
        waitForData(timeout);
        return consume(handler);
    }

    /**
     * Blocks until the kernel signals data or the timeout passes; a signal interrupting the
     * wait ends it early.
     *
     * @return true when the kernel signalled (a producer woke consumers, or data was already
     *     waiting when this reader last looked), false on timeout
     */
    public boolean waitForData(Duration timeout) {
        checkOpen();
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        try {
            int n = (int) Native.EPOLL_WAIT.invokeExact(epollErrno, epollFd, epollEvents, 1, millis);
            if (n < 0 && Native.errno(epollErrno) != Native.EINTR) {
                throw new BpfException("epoll_wait on ring buffer '" + name + "' failed", Native.errno(epollErrno));
            }
            return n > 0;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Bytes written by the producer and not yet consumed (records being written included). */
    public long available() {
        checkOpen();
        long producer = (long) LONG.getAcquire(producerPage, 0L);
        long consumer = (long) LONG.getAcquire(consumerPage, 0L);
        return producer - consumer;
    }

    /** The ring's data size in bytes. */
    public long size() {
        return mask + 1;
    }

    /** Records the BPF side could not reserve because the ring was full; 0 without a lost counter. */
    public long lostCount() {
        return lostCounter == null ? 0 : lostCounter.sumPerCpu(LOST_KEY);
    }

    /** The ring-buffer map's fd: readable (EPOLLIN) when the kernel wakes consumers; for a caller's own epoll set. */
    public int fd() {
        return mapFd;
    }

    public String name() {
        return name;
    }

    /** Unmaps the ring and closes the epoll instance; idempotent. Segments handed out earlier become unusable. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Native.close(epollFd);
        arena.close();
    }

    private void checkOpen() {
        if (closed) {
            throw new BpfException("ring buffer '" + name + "' is closed");
        }
    }

    /** mmap of the map fd; unmapped when the reader's arena closes. */
    private MemorySegment map(long length, int prot, long offset) throws Throwable {
        MemorySegment state = Native.errnoState(arena);
        MemorySegment address = (MemorySegment) Native.MMAP.invokeExact(state, MemorySegment.NULL, length, prot,
                Native.MAP_SHARED, mapFd, offset);
        if (address.address() == -1L) {
            throw new BpfException("cannot map ring buffer '" + name + "'", Native.errno(state));
        }
        return address.reinterpret(length, arena, RingBuffer::unmap);
    }

    private static void unmap(MemorySegment segment) {
        try {
            int ignored = (int) Native.MUNMAP.invokeExact(Native.errnoState(Arena.ofAuto()), segment, segment.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
