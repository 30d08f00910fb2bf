package dev.apiary.bpf;

import dev.apiary.bpf.libbpf.Libbpf;
import dev.apiary.bpf.libbpf.libbpf_print_fn_t;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends libbpf's own messages to SLF4J (logger {@code dev.apiary.bpf.libbpf}): its warnings
 * as WARN, info as INFO, debug as DEBUG. While a thread is inside {@link #captureInto}, that
 * thread's warnings are also collected, so a failed load can put them in its exception.
 *
 * <p>libbpf hands the callback a format and a va_list; vsnprintf formats them. An exception
 * thrown out of an upcall would end the JVM, so the callback catches everything.
 */
final class LibbpfLog {

    private static final Logger LOG = LoggerFactory.getLogger("dev.apiary.bpf.libbpf");
    private static final int LIBBPF_WARN = Libbpf.LIBBPF_WARN();
    private static final int LIBBPF_INFO = Libbpf.LIBBPF_INFO();
    private static final int FORMAT_BUFFER = 64 * 1024;
    private static final ThreadLocal<MemorySegment> BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(FORMAT_BUFFER));
    private static final ThreadLocal<List<String>> CAPTURED = new ThreadLocal<>();

    static {
        // The stub lives as long as the class: libbpf keeps the pointer for the process's lifetime.
        MemorySegment callback = libbpf_print_fn_t.allocate(LibbpfLog::print, Arena.global());
        Libbpf.libbpf_set_print(callback);
    }

    private LibbpfLog() {
    }

    /** Makes sure libbpf's output is routed; cheap after the first call. */
    static void install() {
        // the static initialiser does the work
    }

    /** Runs {@code action}; libbpf's warnings it causes on this thread are added to {@code sink}. */
    static <T> T captureInto(List<String> sink, Supplier<T> action) {
        List<String> previous = CAPTURED.get();
        CAPTURED.set(sink);
        try {
            return action.get();
        } finally {
            CAPTURED.set(previous);
        }
    }

    private static int print(int level, MemorySegment format, MemorySegment vaList) {
        try {
            boolean warn = level == LIBBPF_WARN;
            List<String> captured = CAPTURED.get();
            boolean wanted = warn ? (LOG.isWarnEnabled() || captured != null)
                    : level == LIBBPF_INFO ? LOG.isInfoEnabled() : LOG.isDebugEnabled();
            if (!wanted) {
                return 0;
            }
            MemorySegment buffer = BUFFER.get();
            int n = (int) Native.VSNPRINTF.invokeExact(buffer, (long) FORMAT_BUFFER, format, vaList);
            String message = buffer.getString(0).stripTrailing();
            if (n >= FORMAT_BUFFER) {
                message += " [cut]";
            }
            if (warn) {
                if (captured != null) {
                    captured.add(message);
                }
                LOG.warn(message);
            } else if (level == LIBBPF_INFO) {
                LOG.info(message);
            } else {
                LOG.debug(message);
            }
        } catch (Throwable t) {
            // Nothing may escape an upcall.
        }
        return 0;
    }
}
