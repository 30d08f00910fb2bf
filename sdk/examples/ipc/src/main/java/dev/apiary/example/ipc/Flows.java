package dev.apiary.example.ipc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.Records;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the kernel's per-(channel, process, direction) counters, the ipc_flows map. Each
 * read is a snapshot taken with one batch lookup; safe from any thread.
 */
final class Flows {

    static final StructLayout KEY_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ino"),
            JAVA_INT.withName("dev"),
            JAVA_INT.withName("pid"),
            JAVA_BYTE.withName("kind"),
            JAVA_BYTE.withName("dir"),
            MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("pad"))
            .withName("ipc_flow_key");

    static final StructLayout VALUE_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("bytes"),
            JAVA_LONG.withName("ops"),
            JAVA_LONG.withName("first_ns"),
            JAVA_LONG.withName("last_ns"),
            JAVA_LONG.withName("cgroup_id"),
            JAVA_INT.withName("mnt_ns"),
            JAVA_INT.withName("tid"),
            MemoryLayout.sequenceLayout(EventHeader.COMM_LEN, JAVA_BYTE).withName("comm"))
            .withName("ipc_flow_value");

    private static final long K_INO = Records.offset(KEY_LAYOUT, "ino"), K_DEV = Records.offset(KEY_LAYOUT, "dev"),
            K_PID = Records.offset(KEY_LAYOUT, "pid"), K_KIND = Records.offset(KEY_LAYOUT, "kind"),
            K_DIR = Records.offset(KEY_LAYOUT, "dir");
    private static final long V_BYTES = Records.offset(VALUE_LAYOUT, "bytes"), V_OPS = Records.offset(VALUE_LAYOUT, "ops"),
            V_FIRST = Records.offset(VALUE_LAYOUT, "first_ns"), V_LAST = Records.offset(VALUE_LAYOUT, "last_ns"),
            V_CGROUP = Records.offset(VALUE_LAYOUT, "cgroup_id"), V_COMM = Records.offset(VALUE_LAYOUT, "comm");

    private final BpfMap map;

    /** @param map the loaded object's ipc_flows map (owned by core; not closed here) */
    Flows(BpfMap map) {
        this.map = map;
    }

    /** Every flow the kernel holds now (the map is an LRU: the least recently used go first when it is full). */
    List<Flow> snapshot() {
        List<BpfMap.Entry> entries = map.entries();
        List<Flow> flows = new ArrayList<>(entries.size());
        for (BpfMap.Entry e : entries) {
            flows.add(decode(e.key(), e.value()));
        }
        return flows;
    }

    static Flow decode(byte[] keyBytes, byte[] valueBytes) {
        MemorySegment k = MemorySegment.ofArray(keyBytes);
        MemorySegment v = MemorySegment.ofArray(valueBytes);
        return new Flow(Channel.of(k.get(JAVA_BYTE, K_KIND)), Integer.toUnsignedLong(k.get(JAVA_INT_UNALIGNED, K_DEV)),
                k.get(JAVA_LONG_UNALIGNED, K_INO), k.get(JAVA_INT_UNALIGNED, K_PID), Channel.direction(k.get(JAVA_BYTE, K_DIR)),
                v.get(JAVA_LONG_UNALIGNED, V_BYTES), v.get(JAVA_LONG_UNALIGNED, V_OPS), v.get(JAVA_LONG_UNALIGNED, V_FIRST),
                v.get(JAVA_LONG_UNALIGNED, V_LAST), v.get(JAVA_LONG_UNALIGNED, V_CGROUP),
                Records.cString(v, V_COMM, EventHeader.COMM_LEN));
    }

    /** pipe:[N] as /proc/PID/fd shows a pipe; fifo:[MAJ:MIN:N]; msq:N (System V msqid); mq:[N]. */
    static String channelId(Channel channel, long device, long inode) {
        return switch (channel) {
            case PIPE -> "pipe:[" + inode + "]";
            case FIFO -> "fifo:[" + (device >>> 20) + ":" + (device & 0xfffff) + ":" + inode + "]";
            case SYSV_MSG -> "msq:" + inode;
            case POSIX_MQ -> "mq:[" + inode + "]";
        };
    }
}
