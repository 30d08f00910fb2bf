package dev.apiary.tracker.exec;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.Records;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the records of exec.bpf.c into {@link ExecEvent}s and {@link ExitEvent}s, reading
 * them in place (only the strings are copied).
 *
 * <p>The layouts below are the Java twins of {@code struct exec_event} and
 * {@code struct exit_event}; core compares them with the loaded object's BTF before the
 * tracker starts ({@link #layouts()}), so a BPF object built from a changed C struct is caught
 * at load instead of decoding garbage. Decoding is safe from one thread at a
 * time per record and needs no locking: the decoder holds no per-record state.
 */
public final class ExecDecoder implements EventDecoder {

    /** Record types, as EXEC_EVENT_* in exec.bpf.c. */
    public static final int EXEC = 1, EXIT = 2;

    /** Sizes, as EXEC_PATH_LEN, EXEC_ARGS_LEN and EXEC_MAX_ARGS in exec.bpf.c. */
    public static final int PATH_LEN = 512, ARGS_LEN = 2048, MAX_ARGS = 20;

    /** exec_event.flags bits, as EXEC_FLAG_* in exec.bpf.c. */
    static final int FLAG_ARGS_CUT = 1, FLAG_PATH_CUT = 2, FLAG_ARGS_UNSEEN = 4;

    public static final StructLayout EXEC_LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("process_start_ns"),
            JAVA_INT.withName("ret"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("args_count"),
            JAVA_INT.withName("args_size"),
            JAVA_INT.withName("path_size"),
            JAVA_INT.withName("unused"),
            MemoryLayout.sequenceLayout(ARGS_LEN + PATH_LEN, JAVA_BYTE).withName("data"))
            .withName("exec_event");

    public static final StructLayout EXIT_LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("process_start_ns"),
            JAVA_LONG.withName("lifetime_ns"),
            JAVA_INT.withName("status"),
            MemoryLayout.paddingLayout(4)) // the struct is 8-aligned
            .withName("exit_event");

    private static final long EXEC_START = Records.offset(EXEC_LAYOUT, "process_start_ns"),
            RET = Records.offset(EXEC_LAYOUT, "ret"), FLAGS = Records.offset(EXEC_LAYOUT, "flags"),
            ARGS_COUNT = Records.offset(EXEC_LAYOUT, "args_count"), ARGS_SIZE = Records.offset(EXEC_LAYOUT, "args_size"),
            PATH_SIZE = Records.offset(EXEC_LAYOUT, "path_size"), DATA = Records.offset(EXEC_LAYOUT, "data");
    private static final long EXIT_START = Records.offset(EXIT_LAYOUT, "process_start_ns"),
            LIFETIME = Records.offset(EXIT_LAYOUT, "lifetime_ns"), STATUS = Records.offset(EXIT_LAYOUT, "status");

    /** Both records' layouts, which core checks against the object's BTF before it loads. */
    @Override
    public List<MemoryLayout> layouts() {
        return List.of(EXEC_LAYOUT, EXIT_LAYOUT);
    }

    /**
     * @return an {@link ExecEvent} or {@link ExitEvent}
     * @throws IllegalArgumentException for a record of an unknown type, too short, or with counts out of range
     */
    @Override
    public Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
        return switch (header.type()) {
            case EXEC -> decodeExec(record, header, container);
            case EXIT -> decodeExit(record, header, container);
            default -> throw new IllegalArgumentException("not an exec tracker record type: " + header.type());
        };
    }

    /**
     * An exec record is sent only as far as it is used: the fixed fields, args_size bytes of
     * arguments, then path_size bytes of path.
     */
    private static ExecEvent decodeExec(MemorySegment record, EventHeader header, ContainerRef container) {
        Records.requireSize(record, DATA, "exec_event");
        int flags = record.get(JAVA_INT_UNALIGNED, FLAGS);
        int count = record.get(JAVA_INT_UNALIGNED, ARGS_COUNT);
        int argsSize = record.get(JAVA_INT_UNALIGNED, ARGS_SIZE);
        int pathSize = record.get(JAVA_INT_UNALIGNED, PATH_SIZE);
        if (count < 0 || count > MAX_ARGS || argsSize < 0 || argsSize > ARGS_LEN || pathSize < 0 || pathSize > PATH_LEN) {
            throw new IllegalArgumentException("exec record with " + count + " arguments in " + argsSize
                    + " bytes and a path of " + pathSize + " bytes");
        }
        Records.requireSize(record, DATA + argsSize + pathSize, "exec_event");
        return new ExecEvent(header, container,
                Records.cString(record, DATA + argsSize, pathSize),
                splitArgs(record, count, argsSize),
                (flags & FLAG_ARGS_CUT) != 0,
                record.get(JAVA_INT_UNALIGNED, RET),
                (flags & FLAG_PATH_CUT) != 0,
                (flags & FLAG_ARGS_UNSEEN) != 0,
                record.get(JAVA_LONG_UNALIGNED, EXEC_START));
    }

    private static ExitEvent decodeExit(MemorySegment record, EventHeader header, ContainerRef container) {
        Records.requireSize(record, EXIT_LAYOUT.byteSize(), "exit_event");
        return ExitEvent.fromWaitStatus(header, container,
                record.get(JAVA_INT_UNALIGNED, STATUS),
                record.get(JAVA_LONG_UNALIGNED, LIFETIME),
                record.get(JAVA_LONG_UNALIGNED, EXIT_START));
    }

    /** The count NUL-terminated strings in the first size bytes of args; the last one may lack its NUL only if cut. */
    private static List<String> splitArgs(MemorySegment record, int count, int size) {
        byte[] bytes = new byte[size];
        MemorySegment.copy(record, JAVA_BYTE, DATA, bytes, 0, size);
        List<String> args = new ArrayList<>(count);
        int start = 0;
        for (int i = 0; i < count && start < size; i++) {
            int end = start;
            while (end < size && bytes[end] != 0) {
                end++;
            }
            args.add(new String(bytes, start, end - start, StandardCharsets.UTF_8));
            start = end + 1;
        }
        return args;
    }
}
