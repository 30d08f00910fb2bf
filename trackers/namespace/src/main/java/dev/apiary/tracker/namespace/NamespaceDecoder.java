package dev.apiary.tracker.namespace;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.Records;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the records of namespace.bpf.c ({@code struct ns_event}) into
 * {@link NamespaceEvent}s, {@link MountEvent}s and {@link CgroupEvent}s, reading them in place.
 *
 * <p>Core checks the layout below against the object's BTF before the tracker starts
 * ({@link #layouts()}). Decoding holds no per-record state: safe from one thread at a time
 * per record, without locking.
 */
public final class NamespaceDecoder implements EventDecoder {

    /** Record types, as NS_* in namespace.bpf.c, indexed by their number. */
    static final String[] TYPES = {null, "clone", "unshare", "setns", "mount", "umount", "pivot_root",
        "move_mount", "fsopen", "fsmount", "open_tree", "cgroup_mkdir", "cgroup_attach"};
    static final int CLONE = 1, UNSHARE = 2, SETNS = 3, MOUNT = 4, OPEN_TREE = 10, CGROUP_MKDIR = 11, CGROUP_ATTACH = 12;

    /** As NS_STR_LEN, NS_STRINGS, NS_DATA_LEN. */
    static final int STR_LEN = 256, STRINGS = 3, DATA_LEN = 1280;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("flags"),
            JAVA_LONG.withName("cgroup_id"),
            JAVA_INT.withName("ret"),
            JAVA_INT.withName("kinds"),
            JAVA_INT.withName("target_pid"),
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("hierarchy"),
            JAVA_INT.withName("level"),
            MemoryLayout.sequenceLayout(NamespaceKind.values().length, JAVA_INT).withName("ns_ids"),
            MemoryLayout.sequenceLayout(EventHeader.COMM_LEN, JAVA_BYTE).withName("target_comm"),
            MemoryLayout.sequenceLayout(STRINGS, JAVA_SHORT).withName("str_len"),
            JAVA_SHORT.withName("unused"),
            MemoryLayout.sequenceLayout(DATA_LEN, JAVA_BYTE).withName("data"))
            .withName("ns_event");

    private static final long FLAGS = Records.offset(LAYOUT, "flags"), CGROUP_ID = Records.offset(LAYOUT, "cgroup_id"),
            RET = Records.offset(LAYOUT, "ret"), KINDS = Records.offset(LAYOUT, "kinds"),
            TARGET_PID = Records.offset(LAYOUT, "target_pid"), FD = Records.offset(LAYOUT, "fd"),
            HIERARCHY = Records.offset(LAYOUT, "hierarchy"), NS_IDS = Records.offset(LAYOUT, "ns_ids"),
            TARGET_COMM = Records.offset(LAYOUT, "target_comm"), STR_LENS = Records.offset(LAYOUT, "str_len"),
            DATA = Records.offset(LAYOUT, "data");

    private final CgroupHierarchies hierarchies;

    /** @param hierarchies names of cgroup hierarchies, for cgroup events */
    NamespaceDecoder(CgroupHierarchies hierarchies) {
        this.hierarchies = hierarchies;
    }

    /** The layouts it reads, which core checks against the object's BTF before it loads. */
    @Override
    public List<MemoryLayout> layouts() {
        return List.of(LAYOUT);
    }

    /**
     * @throws IllegalArgumentException for an unknown type or a record too short for what it says it holds
     */
    @Override
    public Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
        int type = header.type();
        if (type <= 0 || type >= TYPES.length) {
            throw new IllegalArgumentException("not a namespace tracker record type: " + type);
        }
        Records.requireSize(record, DATA, "ns_event");
        String[] strings = strings(record);
        long flags = record.get(JAVA_LONG_UNALIGNED, FLAGS);
        int ret = record.get(JAVA_INT_UNALIGNED, RET);
        int fd = record.get(JAVA_INT_UNALIGNED, FD);
        return switch (type) {
            case CLONE, UNSHARE, SETNS -> {
                List<NamespaceKind> kinds = NamespaceKind.ofFlags(Integer.toUnsignedLong(record.get(JAVA_INT_UNALIGNED, KINDS)));
                Map<String, Long> ids = new LinkedHashMap<>();
                if (ret >= 0) {
                    for (NamespaceKind k : kinds) {
                        ids.put(k.procName(), Integer.toUnsignedLong(record.get(JAVA_INT_UNALIGNED, NS_IDS + 4L * k.ordinal())));
                    }
                }
                boolean clone = type == CLONE;
                yield new NamespaceEvent(header, container, TYPES[type], NamespaceKind.names(kinds), ids, flags,
                        clone ? record.get(JAVA_INT_UNALIGNED, TARGET_PID) : 0,
                        clone ? Records.cString(record, TARGET_COMM, EventHeader.COMM_LEN) : "", fd, ret);
            }
            case CGROUP_MKDIR, CGROUP_ATTACH -> {
                boolean attach = type == CGROUP_ATTACH;
                int hierarchy = record.get(JAVA_INT_UNALIGNED, HIERARCHY);
                yield new CgroupEvent(header, container, TYPES[type], strings[0], hierarchy,
                        hierarchies.controllers(hierarchy), record.get(JAVA_LONG_UNALIGNED, CGROUP_ID),
                        ContainerIds.ofCgroupPath(strings[0]),
                        attach ? record.get(JAVA_INT_UNALIGNED, TARGET_PID) : 0,
                        attach ? Records.cString(record, TARGET_COMM, EventHeader.COMM_LEN) : "", attach && flags != 0);
            }
            default -> new MountEvent(header, container, TYPES[type], strings[0], strings[1], strings[2], flags, fd, ret);
        };
    }

    /** The strings at data, in the order of str_len; absent ones are "". */
    private static String[] strings(MemorySegment record) {
        String[] out = new String[STRINGS];
        long at = DATA;
        for (int i = 0; i < STRINGS; i++) {
            int len = Short.toUnsignedInt(record.get(JAVA_SHORT_UNALIGNED, STR_LENS + 2L * i));
            if (len > STR_LEN) {
                throw new IllegalArgumentException("ns_event string of " + len + " bytes");
            }
            if (len == 0) {
                out[i] = "";
                continue;
            }
            Records.requireSize(record, at + len, "ns_event");
            out[i] = Records.cString(record, at, len);
            at += len;
        }
        return out;
    }
}
