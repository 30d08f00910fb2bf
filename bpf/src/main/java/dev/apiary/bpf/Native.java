package dev.apiary.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls into libc that the ring-buffer reader and error messages need, and the errno
 * capture every failing call needs.
 *
 * <p>errno is only meaningful right after the call that set it, on the same thread; the
 * JVM may itself call into libc in between. So a handle that must report errno is built
 * with {@code captureCallState("errno")}, and the caller passes a per-call state segment
 * from which {@link #errno(MemorySegment)} reads the value.
 */
final class Native {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x01;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLLIN = 0x001;
    static final int O_RDONLY = 0;
    static final int O_DIRECTORY = 0x10000;
    static final int O_CLOEXEC = 0x80000;

    static final int EINTR = 4;
    static final int ENOENT = 2;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int EOPNOTSUPP = 95;
    static final int ENOTSUPP = 524; // kernel-internal, leaks out of some BPF commands

    /** struct epoll_event is packed on x86-64: u32 events, u64 data = 12 bytes. */
    static final long EPOLL_EVENT_SIZE = 12;

    static final MethodHandle MMAP = libc("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), true);
    static final MethodHandle MUNMAP = libc("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), true);
    static final MethodHandle EPOLL_CREATE1 = libc("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), true);
    static final MethodHandle EPOLL_CTL = libc("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), true);
    static final MethodHandle EPOLL_WAIT = libc("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), true);
    static final MethodHandle OPEN = libc("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true);
    static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
    static final MethodHandle SYSCONF = libc("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT), false);
    static final MethodHandle STRERROR = libc("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT), false);
    static final MethodHandle STRERRORNAME_NP = optionalLibc("strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final MethodHandle VSNPRINTF = libc("vsnprintf",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS), false);
    static final MethodHandle IF_NAMETOINDEX = libc("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS), true);
    static final MethodHandle MALLOC_TRIM = optionalLibc("malloc_trim", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));

    /** libbpf functions the generated bindings lack. */
    static final MethodHandle BPF_MAP_PIN_PATH = LINKER.downcallHandle(
            SymbolLookup.libraryLookup("libbpf.so.1", Arena.global()).findOrThrow("bpf_map__pin_path"),
            FunctionDescriptor.of(ADDRESS, ADDRESS));

    private static final int SC_PAGESIZE = 30;
    static final long PAGE_SIZE = sysconf(SC_PAGESIZE);

    private Native() {
    }

    /**
     * Gives the free memory at the top of glibc's heaps back to the kernel ({@code malloc_trim(0)}):
     * after a load, libbpf has freed the kernel's BTF it parsed for it (megabytes), which glibc
     * would otherwise keep. Does nothing where the C library has no malloc_trim.
     */
    static void mallocTrim() {
        if (MALLOC_TRIM == null) {
            return;
        }
        try {
            int ignored = (int) MALLOC_TRIM.invokeExact(0L);
        } catch (Throwable t) {
            throw new IllegalStateException("malloc_trim", t);
        }
    }

    /** A handle to a native function that sets errno, taking the capture segment first. */
    static MethodHandle withErrno(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO);
    }

    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** "EACCES (Permission denied)" for 13; the number when the C library does not know it. */
    static String describe(int errno) {
        int e = Math.abs(errno);
        try {
            String text = ((MemorySegment) STRERROR.invokeExact(e)).reinterpret(256).getString(0);
            if (STRERRORNAME_NP != null) {
                MemorySegment name = (MemorySegment) STRERRORNAME_NP.invokeExact(e);
                if (!name.equals(MemorySegment.NULL)) {
                    return name.reinterpret(64).getString(0) + " (" + text + ")";
                }
            }
            return "errno " + e + " (" + text + ")";
        } catch (Throwable t) {
            return "errno " + e;
        }
    }

    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static long sysconf(int name) {
        try {
            return (long) SYSCONF.invokeExact(name);
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
    }

    private static MethodHandle libc(String name, FunctionDescriptor descriptor, boolean captureErrno) {
        MemorySegment address = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc lacks " + name));
        return captureErrno
                ? LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO)
                : LINKER.downcallHandle(address, descriptor);
    }

    private static MethodHandle optionalLibc(String name, FunctionDescriptor descriptor) {
        return LIBC.find(name).map(a -> LINKER.downcallHandle(a, descriptor)).orElse(null);
    }
}
