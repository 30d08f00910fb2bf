package dev.apiary.tracker.xdp;

import dev.apiary.sdk.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Runs code inside another network namespace: the way an XDP program is attached to a
 * container's own interface, which the kernel looks up by index in the calling thread's
 * network namespace.
 *
 * <p>The network namespace is a property of a thread, not of the process: {@link #call}
 * starts a dedicated platform thread (never a virtual thread, which could move to another
 * carrier between calls), which enters the namespace with {@code setns(fd, CLONE_NEWNET)},
 * runs the code, goes back to the namespace it started in, and ends. No other thread of the
 * JVM changes namespace. If going back fails, the thread ends anyway, taking its namespace
 * with it. Safe for concurrent use; needs CAP_SYS_ADMIN.
 */
final class NetNamespace {

    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
            .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SETNS = libc("setns", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle OPEN = libc("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private NetNamespace() {
    }

    /** The inode of a network namespace file ({@code /proc/PID/ns/net}), as {@code ls -iL} shows it. */
    static long inode(Path nsFile) throws IOException {
        return ((Number) Files.getAttribute(nsFile, "unix:ino")).longValue();
    }

    /** The host's network namespace: this process's (pid 1 may be a sandbox's and unreadable). */
    static long hostInode() throws IOException {
        return inode(Path.of("/proc/self/ns/net"));
    }

    /**
     * Runs {@code work} on a new platform thread inside the network namespace of
     * {@code nsFile} and returns its result.
     *
     * @throws IllegalStateException when the namespace cannot be opened or entered
     * @throws RuntimeException      what {@code work} threw
     */
    static <T> T call(Path nsFile, Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("xdp-netns").daemon().unstarted(() -> {
            try {
                result.complete(inNamespace(nsFile, work));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while working in network namespace " + nsFile, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static <T> T inNamespace(Path nsFile, Supplier<T> work) {
        int home = open(Path.of("/proc/thread-self/ns/net"));
        try {
            int target = open(nsFile);
            try {
                setns(target, nsFile);
            } finally {
                close(target);
            }
            try {
                return work.get();
            } finally {
                setns(home, Path.of("/proc/thread-self/ns/net (back)"));
            }
        } finally {
            close(home);
        }
    }

    private static int open(Path file) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(Linker.Option.captureStateLayout());
            int fd = (int) OPEN.invokeExact(state, call.allocateFrom(file.toString()), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("cannot open network namespace " + file + ": "
                        + Errno.name((int) ERRNO_VALUE.get(state, 0L)));
            }
            return fd;
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void setns(int fd, Path what) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(Linker.Option.captureStateLayout());
            int r = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
            if (r != 0) {
                throw new IllegalStateException("cannot enter network namespace " + what + ": "
                        + Errno.name((int) ERRNO_VALUE.get(state, 0L)));
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, ERRNO);
    }
}
