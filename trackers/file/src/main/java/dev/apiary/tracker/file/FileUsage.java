package dev.apiary.tracker.file;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.Records;
import dev.apiary.sdk.ContainerRef;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Bytes one container read from and wrote to one regular file since the tracker attached
 * (or since the file's entry was made again after LRU eviction), as the kernel added them up
 * in {@code file_io}.
 *
 * @param cgroupId   the cgroup v2 id of the tasks that did the I/O
 * @param dev        the file system's device, the kernel's s_dev (major &lt;&lt; 20 | minor)
 * @param ino        the file's inode number on it
 * @param container  the container of that cgroup
 * @param path       the file's path when its first bytes were counted, in the container's mount
 *                   namespace (a file renamed or deleted since keeps its old name)
 * @param pathCut    the path was longer than 255 bytes: its leaf end is kept
 * @param readBytes  bytes returned by read, pread64, readv, preadv, preadv2, and copied out of it by
 *                   sendfile, splice, copy_file_range
 * @param writeBytes bytes accepted by write, pwrite64, writev, pwritev, pwritev2, and copied into it by
 *                   sendfile, splice, copy_file_range
 * @param reads      calls that read at least one byte
 * @param writes     calls that wrote at least one byte
 * @param firstNs    when its first bytes were counted, CLOCK_BOOTTIME ns
 */
public record FileUsage(long cgroupId, int dev, long ino, ContainerRef container, String path, boolean pathCut,
        long readBytes, long writeBytes, long reads, long writes, long firstNs) {

    /** What identifies the entry: cgroup, device, inode. */
    public record Key(long cgroupId, int dev, long ino) {}

    public Key key() {
        return new Key(cgroupId, dev, ino);
    }

    public long totalBytes() {
        return readBytes + writeBytes;
    }

    /** The device as "major:minor". */
    public String device() {
        return (dev >>> 20) + ":" + (dev & 0xfffff);
    }

    private static final StructLayout K = FileDecoder.IO_KEY_LAYOUT, V = FileDecoder.IO_VALUE_LAYOUT;
    private static final long K_CGROUP = Records.offset(K, "cgroup_id"), K_INO = Records.offset(K, "ino"),
            K_DEV = Records.offset(K, "dev"), V_READ = Records.offset(V, "read_bytes"),
            V_WRITE = Records.offset(V, "write_bytes"), V_READS = Records.offset(V, "reads"),
            V_WRITES = Records.offset(V, "writes"), V_FIRST = Records.offset(V, "first_ns"),
            V_NAME_SIZE = Records.offset(V, "name_size"), V_NAME = Records.offset(V, "name");

    /**
     * Every entry of the tracker's {@code file_io} map, read now (in batches; an entry
     * updated meanwhile shows the value it had when its batch was read).
     *
     * @param containerOf the container of a cgroup id
     */
    static List<FileUsage> readAll(BpfMap fileIo, LongFunction<ContainerRef> containerOf) {
        List<BpfMap.Entry> entries = fileIo.entries();
        List<FileUsage> out = new ArrayList<>(entries.size());
        for (BpfMap.Entry e : entries) {
            out.add(decode(e.key(), e.value(), containerOf));
        }
        return out;
    }

    static FileUsage decode(byte[] keyBytes, byte[] valueBytes, LongFunction<ContainerRef> containerOf) {
        MemorySegment k = MemorySegment.ofArray(keyBytes), v = MemorySegment.ofArray(valueBytes);
        if (k.byteSize() < K.byteSize() || v.byteSize() < V.byteSize()) {
            throw new IllegalArgumentException("file_io entry of " + k.byteSize() + "+" + v.byteSize() + " bytes");
        }
        long cgroup = k.get(JAVA_LONG_UNALIGNED, K_CGROUP);
        int nameSize = Math.clamp(v.get(JAVA_INT_UNALIGNED, V_NAME_SIZE), 0, FileDecoder.NAME_LEN);
        return new FileUsage(cgroup, k.get(JAVA_INT_UNALIGNED, K_DEV), k.get(JAVA_LONG_UNALIGNED, K_INO),
                containerOf.apply(cgroup), FileDecoder.string(v, V_NAME, nameSize), nameSize >= FileDecoder.NAME_LEN,
                v.get(JAVA_LONG_UNALIGNED, V_READ), v.get(JAVA_LONG_UNALIGNED, V_WRITE),
                v.get(JAVA_LONG_UNALIGNED, V_READS), v.get(JAVA_LONG_UNALIGNED, V_WRITES),
                v.get(JAVA_LONG_UNALIGNED, V_FIRST));
    }
}
