package dev.apiary.bpf;

import dev.apiary.bpf.libbpf.Libbpf;
import dev.apiary.bpf.libbpf.btf_array;
import dev.apiary.bpf.libbpf.btf_enum;
import dev.apiary.bpf.libbpf.btf_member;
import dev.apiary.bpf.libbpf.btf_type;
import dev.apiary.bpf.libbpf.btf_var_secinfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Type information (BTF) of a BPF object or of the kernel: struct layouts by name, so a
 * decoder can check its hand-written layout against the object it loads, and an event of an
 * object nobody wrote a decoder for can still be read field by field.
 *
 * <pre>{@code
 * BtfType.Struct event = obj.btf().struct("exec_event");
 * obj.btf().checkLayout("exec_event", ExecEvent.LAYOUT);   // throws if they differ
 * Map<String, Object> fields = (Map<String, Object>) event.decode(record, 0);
 * }</pre>
 *
 * <p>An object's BTF belongs to the object and is valid until it closes; {@link #kernel()}
 * gives one the caller owns and closes. Lookups are cached and safe for concurrent use.
 */
public final class Btf implements AutoCloseable {

    private static final int KIND_INT = 1, KIND_PTR = 2, KIND_ARRAY = 3, KIND_STRUCT = 4, KIND_UNION = 5,
            KIND_ENUM = 6, KIND_FWD = 7, KIND_TYPEDEF = 8, KIND_VOLATILE = 9, KIND_CONST = 10, KIND_RESTRICT = 11,
            KIND_FUNC = 12, KIND_FUNC_PROTO = 13, KIND_VAR = 14, KIND_DATASEC = 15, KIND_FLOAT = 16,
            KIND_DECL_TAG = 17, KIND_TYPE_TAG = 18, KIND_ENUM64 = 19;
    private static final int INT_SIGNED = 1, INT_CHAR = 2, INT_BOOL = 4;

    private MemorySegment handle;
    private final Arena owned; // non-null when this instance frees the BTF on close
    private final Map<Integer, BtfType> types = new HashMap<>();

    Btf(MemorySegment handle, Arena owned) {
        this.handle = handle;
        this.owned = owned;
    }

    /** The running kernel's BTF (/sys/kernel/btf/vmlinux); close it when done. */
    public static Btf kernel() {
        LibbpfLog.install();
        MemorySegment b = Libbpf.btf__load_vmlinux_btf();
        if (b.equals(MemorySegment.NULL) || b.address() > -4096L && b.address() < 0) {
            throw new BpfException("cannot load the kernel's BTF from /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)");
        }
        return new Btf(b, Arena.ofShared());
    }

    /**
     * The struct or union of that name.
     *
     * @throws BpfException if there is none
     */
    public synchronized BtfType.Struct struct(String name) {
        int id = find(name, KIND_STRUCT);
        if (id < 0) {
            id = find(name, KIND_UNION);
        }
        if (id < 0) {
            throw new BpfException("no struct or union '" + name + "' in this BTF");
        }
        return (BtfType.Struct) type(id);
    }

    /** The layout of the struct or union of that name, named after it. */
    public MemoryLayout layout(String name) {
        return struct(name).layout().withName(name);
    }

    /**
     * Checks that a hand-written layout matches the struct of that name field by field:
     * names, offsets, sizes and order.
     *
     * @throws BpfException saying where they differ
     */
    public void checkLayout(String name, MemoryLayout expected) {
        MemoryLayout actual = layout(name);
        if (actual.equals(expected.withName(name))) {
            return;
        }
        throw new BpfException("struct " + name + " in the BPF object does not match the Java layout:\n  BTF:  "
                + actual + "\n  Java: " + expected);
    }

    /** Where a global variable lives in a data section (.rodata, .data, .bss): offset and size in bytes. */
    synchronized Optional<long[]> variable(String section, String variable) {
        int id = find(section, KIND_DATASEC);
        if (id < 0) {
            return Optional.empty();
        }
        MemorySegment t = typeById(id);
        int vlen = btf_type.info(t) & 0xFFFF;
        MemorySegment infos = t.asSlice(btf_type.sizeof(), vlen * btf_var_secinfo.sizeof());
        for (int i = 0; i < vlen; i++) {
            MemorySegment info = infos.asSlice(i * btf_var_secinfo.sizeof(), btf_var_secinfo.sizeof());
            MemorySegment var = typeById(btf_var_secinfo.type(info));
            if (variable.equals(name(btf_type.name_off(var)))) {
                return Optional.of(new long[] {btf_var_secinfo.offset(info), btf_var_secinfo.size(info)});
            }
        }
        return Optional.empty();
    }

    /** The names of a data section's variables, for messages. */
    synchronized List<String> variables(String section) {
        List<String> names = new ArrayList<>();
        int id = find(section, KIND_DATASEC);
        if (id >= 0) {
            MemorySegment t = typeById(id);
            int vlen = btf_type.info(t) & 0xFFFF;
            for (int i = 0; i < vlen; i++) {
                MemorySegment info = t.asSlice(btf_type.sizeof() + i * btf_var_secinfo.sizeof(), btf_var_secinfo.sizeof());
                names.add(name(btf_type.name_off(typeById(btf_var_secinfo.type(info)))));
            }
        }
        return names;
    }

    @Override
    public synchronized void close() {
        if (owned != null && handle != null) {
            Libbpf.btf__free(handle);
            owned.close();
        }
        handle = null;
    }

    private int find(String name, int kind) {
        checkOpen();
        try (Arena call = Arena.ofConfined()) {
            return Libbpf.btf__find_by_name_kind(handle, call.allocateFrom(name), kind);
        }
    }

    private BtfType type(int id) {
        BtfType cached = types.get(id);
        if (cached != null) {
            return cached;
        }
        MemorySegment t = typeById(id);
        int info = btf_type.info(t);
        int kind = (info >>> 24) & 0x1F;
        int vlen = info & 0xFFFF;
        boolean kflag = (info >>> 31) != 0;
        String name = name(btf_type.name_off(t));
        BtfType result = switch (kind) {
            case KIND_INT -> {
                int encoding = t.get(ValueLayout.JAVA_INT, btf_type.sizeof());
                int flags = (encoding >>> 24) & 0x0F;
                yield new BtfType.Int(name, btf_type.size(t), (flags & INT_SIGNED) != 0, (flags & INT_CHAR) != 0,
                        (flags & INT_BOOL) != 0);
            }
            case KIND_PTR -> new BtfType.Pointer();
            case KIND_ARRAY -> {
                MemorySegment a = t.asSlice(btf_type.sizeof(), btf_array.sizeof());
                yield new BtfType.Array(type(btf_array.type(a)), Integer.toUnsignedLong(btf_array.nelems(a)));
            }
            case KIND_STRUCT, KIND_UNION -> {
                List<BtfType.Field> fields = new ArrayList<>();
                for (int i = 0; i < vlen; i++) {
                    MemorySegment m = t.asSlice(btf_type.sizeof() + i * btf_member.sizeof(), btf_member.sizeof());
                    int offset = btf_member.offset(m);
                    long bitOffset = kflag ? offset & 0xFFFFFF : Integer.toUnsignedLong(offset);
                    int bitSize = kflag ? offset >>> 24 : 0;
                    fields.add(new BtfType.Field(name(btf_member.name_off(m)), type(btf_member.type(m)), bitOffset, bitSize));
                }
                yield new BtfType.Struct(name, btf_type.size(t), kind == KIND_UNION, List.copyOf(fields));
            }
            case KIND_ENUM, KIND_ENUM64 -> {
                Map<Long, String> constants = new LinkedHashMap<>();
                long entry = kind == KIND_ENUM ? btf_enum.sizeof() : 12;
                for (int i = 0; i < vlen; i++) {
                    MemorySegment e = t.asSlice(btf_type.sizeof() + i * entry, entry);
                    long value = kind == KIND_ENUM ? (kflag ? btf_enum.val(e) : Integer.toUnsignedLong(btf_enum.val(e)))
                            : (Integer.toUnsignedLong(e.get(ValueLayout.JAVA_INT, 4))
                                    | ((long) e.get(ValueLayout.JAVA_INT, 8) << 32));
                    constants.put(value, name(btf_enum.name_off(e)));
                }
                yield new BtfType.Enum(name, btf_type.size(t), kflag, Map.copyOf(constants));
            }
            case KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_TYPE_TAG, KIND_VAR, KIND_DECL_TAG ->
                    type(btf_type.type(t));
            case KIND_FLOAT -> new BtfType.Float(name, btf_type.size(t));
            case KIND_FWD, KIND_FUNC, KIND_FUNC_PROTO, KIND_DATASEC -> new BtfType.Opaque(kindName(kind), 0);
            default -> new BtfType.Opaque("kind " + kind, Math.max(0, Libbpf.btf__resolve_size(handle, id)));
        };
        types.put(id, result);
        return result;
    }

    private MemorySegment typeById(int id) {
        checkOpen();
        MemorySegment t = Libbpf.btf__type_by_id(handle, id);
        if (t.equals(MemorySegment.NULL)) {
            throw new BpfException("BTF has no type id " + id);
        }
        return t;
    }

    private String name(int offset) {
        MemorySegment s = Libbpf.btf__name_by_offset(handle, offset);
        return s.equals(MemorySegment.NULL) ? "" : s.getString(0);
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case KIND_FWD -> "fwd";
            case KIND_FUNC -> "func";
            case KIND_FUNC_PROTO -> "func_proto";
            case KIND_DATASEC -> "datasec";
            default -> "kind " + kind;
        };
    }

    private void checkOpen() {
        if (handle == null) {
            throw new BpfException("BTF is closed");
        }
    }
}
