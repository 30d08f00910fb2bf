package dev.apiary.sdk;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names of errno values ("ENOENT") as the C library of this machine knows them
 * ({@code strerrorname_np}, glibc 2.32+), so that a tracker reporting a failed call does
 * not carry its own list. Names are looked up once per value. Safe for concurrent use.
 */
public final class Errno {

    private static final MethodHandle STRERRORNAME = lookup();
    private static final ConcurrentHashMap<Integer, String> NAMES = new ConcurrentHashMap<>();

    private Errno() {
    }

    /**
     * The name of an errno value, positive or negative (a syscall's {@code -ENOENT} is
     * ENOENT); {@code "errno N"} when the C library has no name for it or is too old to say.
     */
    public static String name(int errno) {
        int e = Math.abs(errno);
        return NAMES.computeIfAbsent(e, Errno::lookupName);
    }

    private static String lookupName(int errno) {
        if (STRERRORNAME != null && errno > 0) {
            try {
                MemorySegment s = (MemorySegment) STRERRORNAME.invokeExact(errno);
                if (!s.equals(MemorySegment.NULL)) {
                    return s.reinterpret(64).getString(0);
                }
            } catch (Throwable t) {
                // fall through to the number
            }
        }
        return "errno " + errno;
    }

    private static MethodHandle lookup() {
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> f = linker.defaultLookup().find("strerrorname_np");
        return f.map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT)))
                .orElse(null);
    }
}
