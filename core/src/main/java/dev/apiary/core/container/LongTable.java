package dev.apiary.core.container;

import java.util.function.LongPredicate;

/**
 * An immutable open-addressing map from {@code long} to objects: the dispatcher's cgroup
 * table. A lookup neither allocates (no boxing) nor locks; writers build a new table and
 * publish it (copy on write), which suits a table read per event and changed per container.
 * Keys must not be 0 (0 marks a free slot; cgroup id 0 does not exist).
 */
final class LongTable<V> {

    private static final LongTable<?> EMPTY = new LongTable<>(new long[8], new Object[8], 0);

    private final long[] keys;
    private final Object[] values;
    private final int size;

    private LongTable(long[] keys, Object[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    static <V> LongTable<V> empty() {
        return (LongTable<V>) EMPTY;
    }

    int size() {
        return size;
    }

    /** The value of key, or null. */
    @SuppressWarnings("unchecked")
    V get(long key) {
        long[] k = keys;
        int mask = k.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long present = k[i];
            if (present == key) {
                return (V) values[i];
            }
            if (present == 0) {
                return null;
            }
        }
    }

    /** A table with key set to value (replacing an earlier value). */
    LongTable<V> with(long key, V value) {
        if (key == 0) {
            throw new IllegalArgumentException("key 0 is reserved");
        }
        int capacity = keys.length;
        while ((size + 1) * 2 > capacity) {
            capacity *= 2; // at most half full: short probe sequences
        }
        long[] k = new long[capacity];
        Object[] v = new Object[capacity];
        int n = copyInto(k, v, x -> x != key);
        insert(k, v, key, value);
        return new LongTable<>(k, v, n + 1);
    }

    /** A table without the keys that match. */
    LongTable<V> without(LongPredicate remove) {
        long[] k = new long[keys.length];
        Object[] v = new Object[keys.length];
        int n = copyInto(k, v, x -> !remove.test(x));
        return n == size ? this : new LongTable<>(k, v, n);
    }

    private int copyInto(long[] k, Object[] v, LongPredicate keep) {
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0 && keep.test(keys[i])) {
                insert(k, v, keys[i], values[i]);
                n++;
            }
        }
        return n;
    }

    private static void insert(long[] k, Object[] v, long key, Object value) {
        int mask = k.length - 1;
        int i = mix(key) & mask;
        while (k[i] != 0 && k[i] != key) {
            i = (i + 1) & mask;
        }
        k[i] = key;
        v[i] = value;
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing: sequential inode numbers spread out
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public String toString() {
        return "LongTable[" + size + " of " + keys.length + "]";
    }
}
