package dev.apiary.tracker.exec;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.apiary.bpf.Btf;
import dev.apiary.bpf.EventHeader;
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
 * {@code struct exit_event}. {@link #verify(Btf)} compares them with the loaded object's BTF
 * once; {@link #decode} refuses to run before that, so a BPF object built from a changed C
 * struct is caught at load instead of decoding garbage. Decoding is safe from one thread at a
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
            MemoryLayout.sequenceLayout(PATH_LEN, JAVA_BYTE).withName("path"),
            MemoryLayout.sequenceLayout(ARGS_LEN, JAVA_BYTE).withName("args"))
            .withName("exec_event");

    public static final StructLayout EXIT_LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("process_start_ns"),
            JAVA_LONG.withName("lifetime_ns"),
            JAVA_INT.withName("status"),
            MemoryLayout.paddingLayout(4)) // the struct is 8-aligned
            .withName("exit_event");

    private static final long EXEC_START = offset(EXEC_LAYOUT, "process_start_ns"), RET = offset(EXEC_LAYOUT, "ret"),
            FLAGS = offset(EXEC_LAYOUT, "flags"), ARGS_COUNT = offset(EXEC_LAYOUT, "args_count"),
            ARGS_SIZE = offset(EXEC_LAYOUT, "args_size"), PATH = offset(EXEC_LAYOUT, "path"),
            ARGS = offset(EXEC_LAYOUT, "args");
    private static final long EXIT_START = offset(EXIT_LAYOUT, "process_start_ns"),
            LIFETIME = offset(EXIT_LAYOUT, "lifetime_ns"), STATUS = offset(EXIT_LAYOUT, "status");

    // Written by the loading thread, read by the dispatcher thread.
    private volatile boolean verified;

    /**
     * Checks both layouts against the BTF of the object that will produce the records; call
     * it once, after the object is opened and before its records are decoded.
     *
     * @return this decoder
     * @throws dev.apiary.bpf.BpfException when the object's structs differ from the layouts above
     */
    public ExecDecoder verify(Btf btf) {
        btf.checkLayout("apiary_event_header", EventHeader.LAYOUT);
        btf.checkLayout("exec_event", EXEC_LAYOUT);
        btf.checkLayout("exit_event", EXIT_LAYOUT);
        verified = true;
        return this;
    }

    /**
     * @return an {@link ExecEvent} or {@link ExitEvent}
     * @throws IllegalStateException before {@link #verify}
     * @throws IllegalArgumentException for a record of an unknown type, too short, or with counts out of range
     */
    @Override
    public Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
        if (!verified) {
            throw new IllegalStateException("ExecDecoder.verify(btf) was not called for the object these records come from");
        }
        return switch (header.type()) {
            case EXEC -> decodeExec(record, header, container);
            case EXIT -> decodeExit(record, header, container);
            default -> throw new IllegalArgumentException("not an exec tracker record type: " + header.type());
        };
    }

    private static ExecEvent decodeExec(MemorySegment record, EventHeader header, ContainerRef container) {
        requireSize(record, EXEC_LAYOUT);
        int flags = record.get(JAVA_INT_UNALIGNED, FLAGS);
        int count = record.get(JAVA_INT_UNALIGNED, ARGS_COUNT);
        int size = record.get(JAVA_INT_UNALIGNED, ARGS_SIZE);
        if (count < 0 || count > MAX_ARGS || size < 0 || size > ARGS_LEN) {
            throw new IllegalArgumentException("exec record with " + count + " arguments in " + size + " bytes");
        }
        return new ExecEvent(header, container,
                cString(record, PATH, PATH_LEN),
                splitArgs(record, count, size),
                (flags & FLAG_ARGS_CUT) != 0,
                record.get(JAVA_INT_UNALIGNED, RET),
                (flags & FLAG_PATH_CUT) != 0,
                (flags & FLAG_ARGS_UNSEEN) != 0,
                record.get(JAVA_LONG_UNALIGNED, EXEC_START));
    }

    private static ExitEvent decodeExit(MemorySegment record, EventHeader header, ContainerRef container) {
        requireSize(record, EXIT_LAYOUT);
        return ExitEvent.fromWaitStatus(header, container,
                record.get(JAVA_INT_UNALIGNED, STATUS),
                record.get(JAVA_LONG_UNALIGNED, LIFETIME),
                record.get(JAVA_LONG_UNALIGNED, EXIT_START));
    }

    /** The count NUL-terminated strings in the first size bytes of args; the last one may lack its NUL only if cut. */
    private static List<String> splitArgs(MemorySegment record, int count, int size) {
        byte[] bytes = new byte[size];
        MemorySegment.copy(record, JAVA_BYTE, ARGS, bytes, 0, size);
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

    private static String cString(MemorySegment record, long offset, int max) {
        int n = 0;
        while (n < max && record.get(JAVA_BYTE, offset + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(record, JAVA_BYTE, offset, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void requireSize(MemorySegment record, StructLayout layout) {
        if (record.byteSize() < layout.byteSize()) {
            throw new IllegalArgumentException(layout.name().orElseThrow() + " record of " + record.byteSize()
                    + " bytes, expected " + layout.byteSize());
        }
    }

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
