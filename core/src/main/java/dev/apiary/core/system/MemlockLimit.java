package dev.apiary.core.system;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Before Linux 5.11 BPF maps and programs were charged to RLIMIT_MEMLOCK, whose default
 * (64 KiB or 8 MiB) is far too small; since then they are charged to the memory cgroup.
 * On old kernels the limit is raised to unlimited, as libbpf-tools do.
 */
final class MemlockLimit {

    private static final int RLIMIT_MEMLOCK = 8;
    private static final long RLIM_INFINITY = -1L;

    private MemlockLimit() {
    }

    static void raiseIfNeeded(List<String> done, List<String> problems) {
        if (!kernelBefore(5, 11)) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MethodHandle setrlimit = Linker.nativeLinker().downcallHandle(
                    Linker.nativeLinker().defaultLookup().findOrThrow("setrlimit"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            MemorySegment limit = arena.allocate(16, 8);
            limit.set(ValueLayout.JAVA_LONG, 0, RLIM_INFINITY);
            limit.set(ValueLayout.JAVA_LONG, 8, RLIM_INFINITY);
            int rc = (int) setrlimit.invokeExact(RLIMIT_MEMLOCK, limit);
            if (rc == 0) {
                done.add("raised RLIMIT_MEMLOCK to unlimited (kernel before 5.11)");
            } else {
                problems.add("cannot raise RLIMIT_MEMLOCK; BPF maps may fail to load");
            }
        } catch (Throwable t) {
            problems.add("cannot raise RLIMIT_MEMLOCK: " + t);
        }
    }

    static boolean kernelBefore(int major, int minor) {
        String[] v = System.getProperty("os.version", "0.0").split("[.-]");
        try {
            int ma = Integer.parseInt(v[0]);
            int mi = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            return ma < major || (ma == major && mi < minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
