package dev.apiary.bpf;

import dev.apiary.bpf.libbpf.Libbpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The read-only globals ({@code const volatile} in C) of a {@link BpfObject}: its
 * configuration, set between open and load. The verifier then sees them as constants and
 * prunes the code they turn off.
 *
 * <p>Each setter checks the variable's size in the object's BTF, so a Java int cannot land
 * in a C u64 by mistake.
 */
public final class BpfGlobals {

    private final BpfObject owner;
    private final BpfMap rodata;
    private final Btf btf;

    BpfGlobals(BpfObject owner, BpfMap rodata, Btf btf) {
        this.owner = owner;
        this.rodata = rodata;
        this.btf = btf;
    }

    /** Whether the object declares a read-only global of this name. */
    public boolean contains(String name) {
        owner.checkOpen();
        return btf.variable(".rodata", name).isPresent();
    }

    /** Sets a 1-byte bool. */
    public BpfGlobals set(String name, boolean value) {
        return set(name, new byte[] {(byte) (value ? 1 : 0)});
    }

    /** Sets a 4-byte integer (int, __u32, pid_t, ...). */
    public BpfGlobals set(String name, int value) {
        return set(name, Bytes.u32(value));
    }

    /** Sets an 8-byte integer (__u64, long, ...). */
    public BpfGlobals set(String name, long value) {
        return set(name, Bytes.u64(value));
    }

    /** Sets a variable to raw bytes: exactly its size. */
    public BpfGlobals set(String name, byte[] value) {
        owner.checkNotLoaded("set global '" + name + "'");
        long[] where = btf.variable(".rodata", name).orElseThrow(() -> new BpfException("BPF object '" + owner.name()
                + "' has no const volatile global '" + name + "'; it has " + btf.variables(".rodata")));
        if (where[1] != value.length) {
            throw new BpfException("global '" + name + "' is " + where[1] + " bytes, not " + value.length);
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment size = call.allocate(ValueLayout.JAVA_LONG);
            MemorySegment data = Libbpf.bpf_map__initial_value(rodata.handle(), size);
            if (data.equals(MemorySegment.NULL)) {
                throw new BpfException("BPF object '" + owner.name() + "' has no data for its read-only globals");
            }
            MemorySegment image = data.reinterpret(size.get(ValueLayout.JAVA_LONG, 0));
            MemorySegment.copy(value, 0, image, ValueLayout.JAVA_BYTE, where[0], value.length);
        }
        return this;
    }

    /** Reads a variable's current bytes. */
    public byte[] get(String name) {
        owner.checkOpen();
        long[] where = btf.variable(".rodata", name).orElseThrow(() -> new BpfException("BPF object '" + owner.name()
                + "' has no const volatile global '" + name + "'"));
        try (Arena call = Arena.ofConfined()) {
            MemorySegment size = call.allocate(ValueLayout.JAVA_LONG);
            MemorySegment data = Libbpf.bpf_map__initial_value(rodata.handle(), size);
            return data.reinterpret(size.get(ValueLayout.JAVA_LONG, 0)).asSlice(where[0], where[1])
                    .toArray(ValueLayout.JAVA_BYTE);
        }
    }
}
