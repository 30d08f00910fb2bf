package dev.apiary.tracker.syscall;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.Records;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.SyscallNames;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes syscall.bpf.c's {@code struct syscall_event} records in place into
 * {@link SyscallEvent}s. Core checks its layout against the object's BTF before the tracker
 * starts ({@link #layouts()}); stateless, so safe on core's dispatcher thread.
 */
public final class SyscallDecoder implements EventDecoder {

    /** Record type, as SYSCALL_EVENT. */
    public static final int EVENT = 1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("enter_ns"),
            JAVA_LONG.withName("ret"),
            MemoryLayout.sequenceLayout(6, JAVA_LONG).withName("args"),
            JAVA_INT.withName("nr"),
            JAVA_INT.withName("unused"))
            .withName("syscall_event");

    private static final long ENTER = Records.offset(LAYOUT, "enter_ns"), RET = Records.offset(LAYOUT, "ret"),
            ARGS = Records.offset(LAYOUT, "args"), NR = Records.offset(LAYOUT, "nr");

    private final SyscallNames names;

    public SyscallDecoder(SyscallNames names) {
        this.names = names;
    }

    /** The layouts it reads, which core checks against the object's BTF before it loads. */
    @Override
    public List<MemoryLayout> layouts() {
        return List.of(LAYOUT);
    }

    @Override
    public Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
        if (header.type() != EVENT) {
            throw new IllegalArgumentException("not a syscall tracker record type: " + header.type());
        }
        Records.requireSize(record, LAYOUT.byteSize(), "syscall_event");
        int nr = record.get(JAVA_INT_UNALIGNED, NR);
        List<Long> args = new ArrayList<>(6);
        for (int i = 0; i < 6; i++) {
            args.add(record.get(JAVA_LONG_UNALIGNED, ARGS + 8L * i));
        }
        long enter = record.get(JAVA_LONG_UNALIGNED, ENTER);
        return new SyscallEvent(header, container, nr, names.name(nr), args, record.get(JAVA_LONG_UNALIGNED, RET),
                Math.max(0, header.tsNanos() - enter));
    }
}
