package ${package};

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.Records;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
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

    private static final long FLAGS = Records.offset(LAYOUT, "flags"), PATH = Records.offset(LAYOUT, "path");

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
        Records.requireSize(record, LAYOUT.byteSize(), "${trackerName}_event");
        // The path up to its NUL (the whole array when it filled it).
        return new ${trackerClass}Event(header, container, Records.cString(record, PATH, PATH_LEN),
                record.get(JAVA_INT_UNALIGNED, FLAGS));
    }
}
