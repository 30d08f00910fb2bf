package dev.apiary.sdk;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.EventHeader;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Turns one ring-buffer record into an event. Core calls it on its dispatcher thread, for
 * one tracker's records at a time; it must not block.
 *
 * <p>A decoder that reads C structs in place declares their Java twins in {@link #layouts()};
 * core checks them against the BTF of the object that will produce the records before the
 * tracker's programs are loaded, and refuses the start with the mismatch. So a BPF object built
 * from a changed C struct is caught at load, and a decoder needs no check of its own.
 */
@FunctionalInterface
public interface EventDecoder {

    /**
     * @param record    the whole record, header included; valid only during the call (copy what you keep)
     * @param header    the record's header, already read
     * @param container the container core resolved from the header
     * @return the event, or null to drop the record without counting it as an error
     * @throws RuntimeException when the record is malformed: core counts a decode error and goes on
     */
    Event decode(MemorySegment record, EventHeader header, ContainerRef container);

    /**
     * The layouts of the C structs it reads (records, and map keys or values it reads with
     * them), each {@linkplain MemoryLayout#withName named} as its struct in the BPF source.
     * {@code struct apiary_event_header} ({@link EventHeader#LAYOUT}) is checked for every
     * decoder and need not be listed. The default lists none.
     */
    default List<MemoryLayout> layouts() {
        return List.of();
    }

    /**
     * Checks the event header and each of {@code decoder}'s {@link #layouts()} against the BTF of
     * {@code obj}: what core does after opening a tracker's object, before configuring it.
     *
     * @return {@code decoder}
     * @throws dev.apiary.bpf.BpfException naming the struct and how it differs, when one does
     * @throws IllegalArgumentException when a layout has no name
     */
    static <D extends EventDecoder> D checkLayouts(D decoder, BpfObject obj) {
        obj.btf().checkLayout(EventHeader.LAYOUT.name().orElseThrow(), EventHeader.LAYOUT);
        for (MemoryLayout layout : decoder.layouts()) {
            String struct = layout.name().orElseThrow(() -> new IllegalArgumentException(
                    "a layout of " + decoder.getClass().getName() + " has no name: name it as its C struct"));
            obj.btf().checkLayout(struct, layout);
        }
        return decoder;
    }
}
