package dev.apiary.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * One epoll set over many ring buffers, so that one thread can wait on all of them.
 *
 * <p>The kernel signals a ring's fd when a producer wakes consumers (see
 * {@code apiary_wakeup_bytes}); the waiting thread then consumes the rings it owns. Adding
 * and removing rings is safe from any thread; {@link #await} is for one thread at a time.
 * Remove a ring before closing it. Closing the poller does not close the rings.
 */
public final class RingPoller implements AutoCloseable {

    private static final int MAX_EVENTS = 64;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Native.errnoState(arena);
    private final MemorySegment ctlErrno = Native.errnoState(arena);
    private final MemorySegment events = arena.allocate(Native.EPOLL_EVENT_SIZE * MAX_EVENTS, 4);
    private final int epollFd;
    private volatile boolean closed;

    public RingPoller() {
        try {
            epollFd = (int) Native.EPOLL_CREATE1.invokeExact(errno, Native.EPOLL_CLOEXEC);
        } catch (Throwable t) {
            arena.close();
            throw new AssertionError(t);
        }
        if (epollFd < 0) {
            arena.close();
            throw new BpfException("cannot create an epoll instance", Native.errno(errno));
        }
    }

    /** Wakes {@link #await} when {@code ring}'s producer signals. */
    public synchronized void add(RingBuffer ring) {
        control(Native.EPOLL_CTL_ADD, ring);
    }

    /** Stops watching {@code ring}; a ring that was not added is ignored. */
    public synchronized void remove(RingBuffer ring) {
        try {
            control(Native.EPOLL_CTL_DEL, ring);
        } catch (BpfException e) {
            if (e.errno() != Native.ENOENT) {
                throw e;
            }
        }
    }

    /**
     * Blocks until a ring signals or the timeout passes; a signal interrupting the wait ends it early.
     *
     * @return how many rings signalled (0 on timeout)
     */
    public int await(Duration timeout) {
        checkOpen();
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        try {
            int n = (int) Native.EPOLL_WAIT.invokeExact(errno, epollFd, events, MAX_EVENTS, millis);
            if (n < 0) {
                int err = Native.errno(errno);
                if (err == Native.EINTR) {
                    return 0;
                }
                throw new BpfException("epoll_wait failed", err);
            }
            return n;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Closes the epoll instance; idempotent. Call only when no thread is in {@link #await}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Native.close(epollFd);
        arena.close();
    }

    private void control(int op, RingBuffer ring) {
        checkOpen();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment event = call.allocate(Native.EPOLL_EVENT_SIZE, 4);
            event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, Native.EPOLLIN);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, ring.fd());
            int rc = (int) Native.EPOLL_CTL.invokeExact(ctlErrno, epollFd, op, ring.fd(), event);
            if (rc < 0) {
                throw new BpfException("cannot " + (op == Native.EPOLL_CTL_ADD ? "watch" : "unwatch")
                        + " ring buffer '" + ring.name() + "'", Native.errno(ctlErrno));
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("ring poller is closed");
        }
    }
}
