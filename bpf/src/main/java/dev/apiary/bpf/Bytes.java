package dev.apiary.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The byte forms of the C integers that map keys and values are made of, in the CPU's order. */
public final class Bytes {

    private Bytes() {
    }

    public static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    public static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }

    public static int toU32(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt();
    }

    public static long toU64(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getLong();
    }
}
