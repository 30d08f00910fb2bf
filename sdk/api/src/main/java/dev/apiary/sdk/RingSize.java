package dev.apiary.sdk;

/**
 * The size of a tracker's {@code apiary_events} ring buffer from its {@code ring.kb} setting:
 * the kernel wants a power of two of at least a page, so the setting is rounded up.
 */
public final class RingSize {

    /** The smallest ring: a page. */
    public static final int MIN_BYTES = 4096;
    /** The largest ring: 1 GiB (the metatype of {@code ring.kb} allows at most 1048576 KiB). */
    public static final int MAX_BYTES = 1 << 30;

    /**
     * What every tracker's {@code ring.kb} attribute says and allows, for its
     * {@code @AttributeDefinition(description = RingSize.DESCRIPTION, min = RingSize.MIN_KIB,
     * max = RingSize.MAX_KIB)}: one wording and one range for all of them.
     */
    public static final String DESCRIPTION = "Size of the ring buffer the kernel sends events through, KiB "
            + "(rounded up to a power of two)";
    /** The smallest {@code ring.kb} a tracker allows. */
    public static final String MIN_KIB = "256";
    /** The largest {@code ring.kb} a tracker allows: {@link #MAX_BYTES}. */
    public static final String MAX_KIB = "1048576";

    private RingSize() {
    }

    /**
     * The ring's size in bytes for {@code kib} KiB: the next power of two at or above
     * {@code kib * 1024}, at least {@link #MIN_BYTES} (also for 0 or less) and at most
     * {@link #MAX_BYTES}. E.g. 300 gives 512 KiB, 16384 gives 16 MiB.
     */
    public static int bytes(int kib) {
        long bytes = Math.clamp(kib * 1024L, MIN_BYTES, MAX_BYTES);
        long p = Long.highestOneBit(bytes);
        return (int) (p == bytes ? p : p << 1);
    }
}
