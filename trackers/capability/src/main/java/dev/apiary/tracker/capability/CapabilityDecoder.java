package dev.apiary.tracker.capability;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.Records;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Errno;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.SyscallNames;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * Decodes {@code struct cap_event} of capability.bpf.c into {@link CapabilityEvent}s. {@link
 * #LAYOUT} is its Java twin, checked against the object's BTF when the tracker loads. Holds
 * no per-record state (the dispatcher thread calls it without locking).
 */
public final class CapabilityDecoder implements EventDecoder {

    /** As CAP_EVENT_CHECK in capability.bpf.c. */
    public static final int CHECK = 1;
    /** The read-only global that says whether granted checks are sent. */
    public static final String REPORT_GRANTED = "cap_report_granted";

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_INT.withName("cap"),
            JAVA_INT.withName("ret"),
            JAVA_LONG.withName("syscall_nr"),
            JAVA_INT.withName("capable_ns"),
            JAVA_INT.withName("target_ns"),
            JAVA_INT.withName("cred_uid"),
            JAVA_INT.withName("pad"))
            .withName("cap_event");

    /** struct cap_key: the kernel's counters' key. */
    public static final StructLayout KEY = MemoryLayout.structLayout(
            JAVA_LONG.withName("cgroup_id"),
            JAVA_INT.withName("cap"),
            JAVA_INT.withName("denied"),
            MemoryLayout.sequenceLayout(EventHeader.COMM_LEN, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("comm"))
            .withName("cap_key");

    private static final long CAP = Records.offset(LAYOUT, "cap"), RET = Records.offset(LAYOUT, "ret"),
            NR = Records.offset(LAYOUT, "syscall_nr"), CAPABLE_NS = Records.offset(LAYOUT, "capable_ns"),
            TARGET_NS = Records.offset(LAYOUT, "target_ns"), UID = Records.offset(LAYOUT, "cred_uid");

    private final SyscallNames syscalls;

    public CapabilityDecoder(SyscallNames syscalls) {
        this.syscalls = syscalls;
    }

    @Override
    public List<MemoryLayout> layouts() {
        return List.of(LAYOUT, KEY);
    }

    /** @throws IllegalArgumentException for a record of another type or one too short */
    @Override
    public Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
        if (header.type() != CHECK) {
            throw new IllegalArgumentException("not a capability record type: " + header.type());
        }
        Records.requireSize(record, LAYOUT.byteSize(), "cap_event");
        int cap = record.get(JAVA_INT_UNALIGNED, CAP);
        int ret = record.get(JAVA_INT_UNALIGNED, RET);
        long nr = record.get(JAVA_LONG_UNALIGNED, NR);
        return new CapabilityEvent(header, container, CapabilityNames.name(cap), cap, ret == 0,
                ret == 0 ? "" : Errno.name(-ret), nr, nr < 0 || nr > Integer.MAX_VALUE ? "" : syscalls.name((int) nr),
                Integer.toUnsignedLong(record.get(JAVA_INT_UNALIGNED, CAPABLE_NS)),
                Integer.toUnsignedLong(record.get(JAVA_INT_UNALIGNED, TARGET_NS)), record.get(JAVA_INT_UNALIGNED, UID));
    }
}
