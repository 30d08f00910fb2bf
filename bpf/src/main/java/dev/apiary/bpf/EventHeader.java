package dev.apiary.bpf;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The header at the start of every Apiary event record: the Java twin of
 * {@code struct apiary_event_header} in {@code apiary/event.h}. Check it against a loaded
 * object with {@code obj.btf().checkLayout("apiary_event_header", EventHeader.LAYOUT)}.
 *
 * @param tsNanos   CLOCK_BOOTTIME when the event happened
 * @param cgroupId  the task's cgroup v2 id
 * @param pid       process id (tgid), as the host sees it
 * @param tid       thread id, as the host sees it
 * @param ppid      the real parent's pid
 * @param mntNs     mount namespace inode number (as in /proc/PID/ns/mnt); 0 once the task has left it
 * @param type      the tracker's own event type
 * @param comm      the task's command name
 */
public record EventHeader(long tsNanos, long cgroupId, int pid, int tid, int ppid, int uid, int gid,
        long mntNs, long pidNs, long netNs, int type, int cpu, String comm) {

    public static final int COMM_LEN = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ts_ns"),
            JAVA_LONG.withName("cgroup_id"),
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("tid"),
            JAVA_INT.withName("ppid"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("gid"),
            JAVA_INT.withName("mnt_ns"),
            JAVA_INT.withName("pid_ns"),
            JAVA_INT.withName("net_ns"),
            JAVA_INT.withName("type"),
            JAVA_INT.withName("cpu"),
            MemoryLayout.sequenceLayout(COMM_LEN, JAVA_BYTE).withName("comm"))
            .withName("apiary_event_header");

    public static final long SIZE = LAYOUT.byteSize();

    private static final long TS = offset("ts_ns"), CGROUP = offset("cgroup_id"), PID = offset("pid"),
            TID = offset("tid"), PPID = offset("ppid"), UID = offset("uid"), GID = offset("gid"),
            MNT = offset("mnt_ns"), PIDNS = offset("pid_ns"), NET = offset("net_ns"), TYPE = offset("type"),
            CPU = offset("cpu"), COMM = offset("comm");

    /** Reads the header at the start of a record. */
    public static EventHeader read(MemorySegment record) {
        return new EventHeader(
                record.get(ValueLayout.JAVA_LONG_UNALIGNED, TS),
                record.get(ValueLayout.JAVA_LONG_UNALIGNED, CGROUP),
                record.get(ValueLayout.JAVA_INT_UNALIGNED, PID),
                record.get(ValueLayout.JAVA_INT_UNALIGNED, TID),
                record.get(ValueLayout.JAVA_INT_UNALIGNED, PPID),
                record.get(ValueLayout.JAVA_INT_UNALIGNED, UID),
                record.get(ValueLayout.JAVA_INT_UNALIGNED, GID),
                Integer.toUnsignedLong(record.get(ValueLayout.JAVA_INT_UNALIGNED, MNT)),
                Integer.toUnsignedLong(record.get(ValueLayout.JAVA_INT_UNALIGNED, PIDNS)),
                Integer.toUnsignedLong(record.get(ValueLayout.JAVA_INT_UNALIGNED, NET)),
                record.get(ValueLayout.JAVA_INT_UNALIGNED, TYPE),
                record.get(ValueLayout.JAVA_INT_UNALIGNED, CPU),
                BtfType.readCString(record, COMM, COMM_LEN));
    }

    /** The event type of a record without decoding the rest: for dispatch. */
    public static int type(MemorySegment record) {
        return record.get(ValueLayout.JAVA_INT_UNALIGNED, TYPE);
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
