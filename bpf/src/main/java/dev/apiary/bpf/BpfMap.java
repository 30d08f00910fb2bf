package dev.apiary.bpf;

import dev.apiary.bpf.libbpf.Libbpf;
import dev.apiary.bpf.libbpf.bpf_map_batch_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One map of a {@link BpfObject}. Before load its size can change; after load its elements
 * can be read and written. Keys and values are the raw bytes of the C types, in the CPU's
 * byte order ({@link Bytes} converts the common ones).
 *
 * <p>For per-CPU maps a value holds one slot per possible CPU, each rounded up to 8 bytes;
 * {@link #lookupPerCpu} splits them and {@link #sumPerCpu} adds up u64 counters.
 *
 * <p>After load, element operations are single system calls and safe for concurrent use.
 */
public final class BpfMap {

    private static final Set<String> PER_CPU_TYPES = Set.of("percpu_hash", "percpu_array", "lru_percpu_hash",
            "percpu_cgroup_storage");
    private static final int BATCH_CHUNK = 1024;

    private final BpfObject owner;
    private final MemorySegment handle;
    private final String name;
    private final String typeName; // fixed from open on: element operations ask it often
    private final boolean perCpu;

    BpfMap(BpfObject owner, MemorySegment handle) {
        this.owner = owner;
        this.handle = handle;
        this.name = Libbpf.bpf_map__name(handle).getString(0);
        MemorySegment type = Libbpf.libbpf_bpf_map_type_str(Libbpf.bpf_map__type(handle));
        this.typeName = type.equals(MemorySegment.NULL) ? "type " + Libbpf.bpf_map__type(handle) : type.getString(0);
        this.perCpu = PER_CPU_TYPES.contains(typeName);
    }

    public String name() {
        return name;
    }

    /** The kernel's map type name: "hash", "percpu_array", "ringbuf", ... */
    public String typeName() {
        return typeName;
    }

    public int keySize() {
        return Libbpf.bpf_map__key_size(handle);
    }

    public int valueSize() {
        return Libbpf.bpf_map__value_size(handle);
    }

    /** The map's capacity; for a ring buffer, its size in bytes. */
    public int maxEntries() {
        return Libbpf.bpf_map__max_entries(handle);
    }

    /** libbpf's own maps for global variables (.rodata, .data, .bss). */
    public boolean isInternal() {
        return Libbpf.bpf_map__is_internal(handle);
    }

    public boolean isPerCpu() {
        return perCpu;
    }

    /** The kernel's map flags (BPF_F_NO_PREALLOC, ...), as declared or set before load. */
    public int mapFlags() {
        return Libbpf.bpf_map__map_flags(handle);
    }

    /**
     * Where libbpf pins this map: {@code <pin root>/<name>} for a map declared with
     * {@code __uint(pinning, LIBBPF_PIN_BY_NAME)} in an object opened with a pin root, or a
     * path set by libbpf's own API; empty for a map that is not pinned.
     */
    public Optional<Path> pinPath() {
        try {
            MemorySegment path = (MemorySegment) Native.BPF_MAP_PIN_PATH.invokeExact(handle);
            return path.equals(MemorySegment.NULL) ? Optional.empty()
                    : Optional.of(Path.of(path.reinterpret(4096).getString(0)));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The map's file descriptor once loaded. */
    public int fd() {
        owner.checkLoaded();
        return Libbpf.bpf_map__fd(handle);
    }

    /** The kernel's id of the loaded map, as bpftool shows it. */
    public int id() {
        return KernelBpfObjects.idOf(fd());
    }

    /**
     * Changes the capacity before load. A ring buffer's size must be a power of two and a
     * multiple of the page size.
     */
    public void setMaxEntries(int maxEntries) {
        owner.checkNotLoaded("resize map '" + name + "'");
        if ("ringbuf".equals(typeName()) && (Integer.bitCount(maxEntries) != 1 || maxEntries % Native.PAGE_SIZE != 0)) {
            throw new BpfException("ring buffer '" + name + "' size " + maxEntries
                    + " must be a power of two and a multiple of the page size (" + Native.PAGE_SIZE + ")");
        }
        int err = Libbpf.bpf_map__set_max_entries(handle, maxEntries);
        if (err != 0) {
            throw new BpfException("cannot resize map '" + name + "' to " + maxEntries, err);
        }
    }

    /**
     * Makes this map, before load, use the already created map behind {@code fd} instead of
     * creating its own: the way several objects share one map (libbpf's bpf_map__reuse_fd).
     * The two definitions must agree in type, key and value size; libbpf duplicates the fd,
     * so the caller keeps owning {@code fd}.
     */
    public void reuseFd(int fd) {
        owner.checkNotLoaded("reuse a map for '" + name + "'");
        int err = Libbpf.bpf_map__reuse_fd(handle, fd);
        if (err != 0) {
            throw new BpfException("cannot make map '" + name + "' reuse map fd " + fd, err);
        }
    }

    /** Reads the value of {@code key} into {@code value}; false when the key is absent. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        int err = Libbpf.bpf_map_lookup_elem(fd(), key, value);
        if (err == -Native.ENOENT) {
            return false;
        }
        check(err, "look up an element of");
        return true;
    }

    public void update(MemorySegment key, MemorySegment value, UpdateMode mode) {
        check(Libbpf.bpf_map_update_elem(fd(), key, value, mode.flags), "update an element of");
    }

    /** Deletes {@code key}; false when it was absent. */
    public boolean delete(MemorySegment key) {
        int err = Libbpf.bpf_map_delete_elem(fd(), key);
        if (err == -Native.ENOENT) {
            return false;
        }
        check(err, "delete an element of");
        return true;
    }

    /** The value of {@code key}, or empty when absent. For per-CPU maps, all CPUs' slots. */
    public Optional<byte[]> lookup(byte[] key) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment value = call.allocate(valueBytes(), 8);
            if (!lookup(keySegment(call, key), value)) {
                return Optional.empty();
            }
            return Optional.of(value.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    public void update(byte[] key, byte[] value) {
        update(key, value, UpdateMode.ANY);
    }

    public void update(byte[] key, byte[] value, UpdateMode mode) {
        if (value.length != valueBytes()) {
            throw new BpfException("map '" + name + "' values are " + valueBytes() + " bytes, not " + value.length);
        }
        try (Arena call = Arena.ofConfined()) {
            update(keySegment(call, key), call.allocateFrom(ValueLayout.JAVA_BYTE, value), mode);
        }
    }

    public boolean delete(byte[] key) {
        try (Arena call = Arena.ofConfined()) {
            return delete(keySegment(call, key));
        }
    }

    /** Every key, walked with BPF_MAP_GET_NEXT_KEY; a map that changes meanwhile may give a partial view. */
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment current = call.allocate(keySize(), 8);
            MemorySegment next = call.allocate(keySize(), 8);
            MemorySegment previous = MemorySegment.NULL;
            while (true) {
                int err = Libbpf.bpf_map_get_next_key(fd(), previous, next);
                if (err == -Native.ENOENT) {
                    return keys;
                }
                check(err, "iterate the keys of");
                keys.add(next.toArray(ValueLayout.JAVA_BYTE));
                MemorySegment.copy(next, 0, current, 0, keySize());
                previous = current;
            }
        }
    }

    /** The value of {@code key} on each possible CPU, for a per-CPU map. */
    public List<byte[]> lookupPerCpu(byte[] key) {
        requirePerCpu();
        int slot = roundUp8(valueSize());
        List<byte[]> perCpu = new ArrayList<>();
        lookup(key).ifPresent(all -> {
            for (int cpu = 0; cpu < possibleCpus(); cpu++) {
                byte[] one = new byte[valueSize()];
                System.arraycopy(all, cpu * slot, one, 0, valueSize());
                perCpu.add(one);
            }
        });
        return perCpu;
    }

    /** The sum over all CPUs of a per-CPU u64 counter; 0 when the key is absent. */
    public long sumPerCpu(byte[] key) {
        requirePerCpu();
        if (valueSize() != 8) {
            throw new BpfException("map '" + name + "' values are " + valueSize() + " bytes, not a u64 counter");
        }
        long sum = 0;
        for (byte[] v : lookupPerCpu(key)) {
            sum += Bytes.toU64(v);
        }
        return sum;
    }

    /**
     * Every key with its value, read in batches of {@value #BATCH_CHUNK} with
     * BPF_MAP_LOOKUP_BATCH where the kernel supports it for this map type, else key by key.
     */
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        if (!lookupBatch(entries)) {
            entries.clear();
            for (byte[] key : keys()) {
                lookup(key).ifPresent(v -> entries.add(new Entry(key, v)));
            }
        }
        return entries;
    }

    /** A key and its value (all CPUs' slots for a per-CPU map). */
    public record Entry(byte[] key, byte[] value) {
    }

    /** What an update may do. */
    public enum UpdateMode {
        /** Create or replace. */
        ANY(0),
        /** Create only; fails with EEXIST when the key is present. */
        NO_EXIST(1),
        /** Replace only; fails with ENOENT when the key is absent. */
        EXIST(2);

        final long flags;

        UpdateMode(long flags) {
            this.flags = flags;
        }
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + ", " + typeName() + ", " + maxEntries() + " entries]";
    }

    MemorySegment handle() {
        return handle;
    }

    BpfObject owner() {
        return owner;
    }

    /** false when the kernel has no batch operation for this map; entries may then be partly filled. */
    private boolean lookupBatch(List<Entry> out) {
        int keySize = keySize();
        int valueBytes = valueBytes();
        int chunk = Math.max(1, Math.min(BATCH_CHUNK, maxEntries()));
        try (Arena call = Arena.ofConfined()) {
            MemorySegment keys = call.allocate((long) keySize * chunk, 8);
            MemorySegment values = call.allocate((long) valueBytes * chunk, 8);
            MemorySegment inBatch = call.allocate(Math.max(keySize, 8), 8);
            MemorySegment outBatch = call.allocate(Math.max(keySize, 8), 8);
            MemorySegment count = call.allocate(ValueLayout.JAVA_INT);
            MemorySegment opts = bpf_map_batch_opts.allocate(call);
            bpf_map_batch_opts.sz(opts, bpf_map_batch_opts.sizeof());
            MemorySegment in = MemorySegment.NULL;
            while (true) {
                count.set(ValueLayout.JAVA_INT, 0, chunk);
                int err = Libbpf.bpf_map_lookup_batch(fd(), in, outBatch, keys, values, count, opts);
                if (err != 0 && err != -Native.ENOENT) {
                    if (err == -Native.EINVAL || err == -Native.EOPNOTSUPP || err == -Native.ENOTSUPP) {
                        return false;
                    }
                    check(err, "batch-read");
                }
                int n = count.get(ValueLayout.JAVA_INT, 0);
                for (int i = 0; i < n; i++) {
                    out.add(new Entry(keys.asSlice((long) i * keySize, keySize).toArray(ValueLayout.JAVA_BYTE),
                            values.asSlice((long) i * valueBytes, valueBytes).toArray(ValueLayout.JAVA_BYTE)));
                }
                if (err == -Native.ENOENT) {
                    return true;
                }
                MemorySegment.copy(outBatch, 0, inBatch, 0, outBatch.byteSize());
                in = inBatch;
            }
        }
    }

    private int valueBytes() {
        return isPerCpu() ? roundUp8(valueSize()) * possibleCpus() : valueSize();
    }

    private MemorySegment keySegment(Arena arena, byte[] key) {
        if (key.length != keySize()) {
            throw new BpfException("map '" + name + "' keys are " + keySize() + " bytes, not " + key.length);
        }
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
    }

    private void requirePerCpu() {
        if (!isPerCpu()) {
            throw new BpfException("map '" + name + "' is a " + typeName() + " map, not a per-CPU one");
        }
    }

    private void check(int err, String what) {
        if (err != 0) {
            throw new BpfException("cannot " + what + " map '" + name + "'", err);
        }
    }

    static int possibleCpus() {
        return PossibleCpus.COUNT;
    }

    private static int roundUp8(int n) {
        return (n + 7) & ~7;
    }

    private static final class PossibleCpus {
        static final int COUNT = Libbpf.libbpf_num_possible_cpus();
    }
}
