package dev.apiary.bpf;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * What every decoder of ring records does the same way: field offsets from a struct's layout,
 * NUL-terminated strings read in place, and the size check before a read. Stateless.
 */
public final class Records {

    private Records() {
    }

    /**
     * The byte offset of {@code field} in {@code layout}, for reading it in place.
     *
     * @throws IllegalArgumentException when the layout has no such field
     */
    public static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /**
     * The UTF-8 string at {@code offset}, up to its NUL or {@code max} bytes, whichever comes
     * first (a string cut by the kernel has no NUL). Copies only the string's bytes.
     */
    public static String cString(MemorySegment record, long offset, long max) {
        int n = 0;
        while (n < max && record.get(ValueLayout.JAVA_BYTE, offset + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(record, ValueLayout.JAVA_BYTE, offset, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Refuses a record too short for what is about to be read.
     *
     * @throws IllegalArgumentException "exec_event record of 40 bytes, expected at least 96"
     */
    public static void requireSize(MemorySegment record, long size, String struct) {
        if (record.byteSize() < size) {
            throw new IllegalArgumentException(struct + " record of " + record.byteSize() + " bytes, expected at least " + size);
        }
    }
}
