package dev.apiary.sdk;

import dev.apiary.bpf.EventHeader;
import java.lang.foreign.MemorySegment;

/**
 * Turns one ring-buffer record into an event. Core calls it on its dispatcher thread, for
 * one tracker's records at a time; it must not block.
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
}
