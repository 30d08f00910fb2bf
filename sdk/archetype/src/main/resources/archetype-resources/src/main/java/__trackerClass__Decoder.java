package ${package};

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes the records of {@code ${trackerName}.bpf.c} into {@link ${trackerClass}Event}s, reading
 * them in place (only the path is copied).
 *
 * <p>{@link #LAYOUT} is the Java twin of {@code struct ${trackerName}_event}. Core compares it
 * with the loaded object's BTF before the tracker starts ({@code layouts()}), so an object built from a changed C struct is caught when the tracker starts instead of
 * decoding garbage. The decoder holds no per-record state: core calls it from its dispatcher
 * thread without locking.
 */
public final class ${trackerClass}Decoder implements EventDecoder {

    /** Record types, as ${trackerName.toUpperCase()}_EVENT_* in ${trackerName}.bpf.c. */
    public static final int OPEN = 1;

    /** As ${trackerName.toUpperCase()}_PATH_LEN in ${trackerName}.bpf.c. */
    public static final int PATH_LEN = 256;

    /** The read-only global the tracker sets before load. */
    public static final String FLAGS_MASK = "${trackerName}_flags_mask";

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("path_len"),
            MemoryLayout.sequenceLayout(PATH_LEN, JAVA_BYTE).withName("path"))
            .withName("${trackerName}_event");

    private static final long FLAGS = offset("flags"), PATH = offset("path");

    /** The layouts it reads, which core checks against the object's BTF before it loads. */
    @Override
    public List<MemoryLayout> layouts() {
        return List.of(LAYOUT);
    }

    /**
     * @throws IllegalArgumentException for a record of another type or one too short
     */
    @Override
    public Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
        if (header.type() != OPEN) {
            throw new IllegalArgumentException("not a ${trackerName} record type: " + header.type());
        }
        if (record.byteSize() < LAYOUT.byteSize()) {
            throw new IllegalArgumentException("${trackerName}_event record of " + record.byteSize() + " bytes, expected "
                    + LAYOUT.byteSize());
        }
        return new ${trackerClass}Event(header, container, path(record), record.get(JAVA_INT_UNALIGNED, FLAGS));
    }

    /** The path up to its NUL (the whole array when it filled it). */
    private static String path(MemorySegment record) {
        int n = 0;
        while (n < PATH_LEN && record.get(JAVA_BYTE, PATH + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(record, JAVA_BYTE, PATH, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
