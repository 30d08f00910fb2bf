package dev.apiary.core.container;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.Records;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One record of core's {@code cgroups.bpf.o}: a cgroup v2 directory was made or removed.
 * The Java twin of {@code struct cgroup_event}; {@link #LAYOUT} is checked against the
 * object's BTF when the learner starts.
 *
 * @param removed    true for an rmdir, false for a mkdir
 * @param id         the cgroup id (kernfs id = directory inode = what tasks in it report)
 * @param level      depth below the root
 * @param path       relative to the cgroup v2 root, starting with '/'
 * @param maybeCut   the path filled the record's buffer and may miss its end
 */
public record CgroupRecord(boolean removed, long id, int level, String path, boolean maybeCut) {

    public static final int MKDIR = 1;
    public static final int RMDIR = 2;
    public static final int PATH_LEN = 512;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("id"),
            JAVA_INT.withName("level"),
            JAVA_INT.withName("path_len"),
            MemoryLayout.sequenceLayout(PATH_LEN, JAVA_BYTE).withName("path"))
            .withName("cgroup_event");

    private static final long ID = Records.offset(LAYOUT, "id"), LEVEL = Records.offset(LAYOUT, "level"),
            PATH_LEN_FIELD = Records.offset(LAYOUT, "path_len"), PATH = Records.offset(LAYOUT, "path");

    /** Decodes a record, copying what it needs: the segment may be ring memory. */
    public static CgroupRecord read(MemorySegment record) {
        Records.requireSize(record, LAYOUT.byteSize(), "cgroup_event");
        int type = EventHeader.type(record);
        if (type != MKDIR && type != RMDIR) {
            throw new IllegalArgumentException("not a cgroup record: event type " + type);
        }
        int pathLen = record.get(ValueLayout.JAVA_INT_UNALIGNED, PATH_LEN_FIELD);
        return new CgroupRecord(type == RMDIR,
                record.get(ValueLayout.JAVA_LONG_UNALIGNED, ID),
                record.get(ValueLayout.JAVA_INT_UNALIGNED, LEVEL),
                Records.cString(record, PATH, Math.min(Math.max(pathLen, 0), PATH_LEN)),
                pathLen >= PATH_LEN);
    }
}
