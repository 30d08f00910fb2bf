package dev.apiary.tracker.tcp;

import dev.apiary.sdk.Errno;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

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
 * Decodes the records of tcp.bpf.c into {@link TcpEvent}s, reading them in place.
 *
 * <p>{@link #LAYOUT} is the Java twin of {@code struct tcp_event}; core compares it with the
 * loaded object's BTF before the tracker starts ({@link #layouts()}). The decoder holds no per-record state: safe from one thread at a time per record.
 */
public final class TcpDecoder implements EventDecoder {

    /** Record types, as TCP_EVENT_* in tcp.bpf.c. */
    public static final int CONNECT = 1, ACCEPT = 2, LISTEN = 3, CLOSE = 4, STATE = 5;

    /** struct tcp_endpoints: where a socket connects. */
    public static final StructLayout ENDPOINTS = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("saddr"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("daddr"),
            JAVA_SHORT.withName("sport"),
            JAVA_SHORT.withName("dport"),
            JAVA_SHORT.withName("family"),
            JAVA_SHORT.withName("unused"))
            .withName("tcp_endpoints");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("conn_id"),
            JAVA_LONG.withName("birth_ns"),
            JAVA_LONG.withName("bytes_acked"),
            JAVA_LONG.withName("bytes_received"),
            ENDPOINTS.withName("ep"),
            JAVA_BYTE.withName("old_state"),
            JAVA_BYTE.withName("new_state"),
            JAVA_SHORT.withName("unused"),
            JAVA_INT.withName("error"))
            .withName("tcp_event");

    private static final long CONN_ID = Records.offset(LAYOUT, "conn_id"), BIRTH = Records.offset(LAYOUT, "birth_ns"),
            ACKED = Records.offset(LAYOUT, "bytes_acked"), RECEIVED = Records.offset(LAYOUT, "bytes_received"),
            SADDR = endpoint("saddr"), DADDR = endpoint("daddr"), SPORT = endpoint("sport"), DPORT = endpoint("dport"),
            FAMILY = endpoint("family"), OLD_STATE = Records.offset(LAYOUT, "old_state"),
            NEW_STATE = Records.offset(LAYOUT, "new_state"), ERROR = Records.offset(LAYOUT, "error");

    /** The layouts it reads, which core checks against the object's BTF before it loads. */
    @Override
    public List<MemoryLayout> layouts() {
        return List.of(ENDPOINTS, LAYOUT);
    }

    /**
     * @throws IllegalArgumentException for a record of an unknown type, too short, or of an unknown address family
     */
    @Override
    public Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
        if (header.type() < CONNECT || header.type() > STATE) {
            throw new IllegalArgumentException("not a tcp tracker record type: " + header.type());
        }
        Records.requireSize(record, LAYOUT.byteSize(), "tcp_event");
        int family = Short.toUnsignedInt(record.get(JAVA_SHORT_UNALIGNED, FAMILY));
        return new TcpEvent(header, container,
                record.get(JAVA_LONG_UNALIGNED, CONN_ID),
                Addresses.familyName(family),
                Addresses.format(family, bytes(record, SADDR)),
                Short.toUnsignedInt(record.get(JAVA_SHORT_UNALIGNED, SPORT)),
                Addresses.format(family, bytes(record, DADDR)),
                Short.toUnsignedInt(record.get(JAVA_SHORT_UNALIGNED, DPORT)),
                TcpState.name(Byte.toUnsignedInt(record.get(JAVA_BYTE, OLD_STATE))),
                TcpState.name(Byte.toUnsignedInt(record.get(JAVA_BYTE, NEW_STATE))),
                record.get(JAVA_LONG_UNALIGNED, ACKED),
                record.get(JAVA_LONG_UNALIGNED, RECEIVED),
                header.tsNanos() - record.get(JAVA_LONG_UNALIGNED, BIRTH),
                errorName(record.get(JAVA_INT_UNALIGNED, ERROR)));
    }

    /** "" when the socket has no error, else its name (ECONNREFUSED). */
    private static String errorName(int errno) {
        return errno == 0 ? "" : Errno.name(errno);
    }

    private static byte[] bytes(MemorySegment record, long offset) {
        byte[] b = new byte[16];
        MemorySegment.copy(record, JAVA_BYTE, offset, b, 0, 16);
        return b;
    }

    /** The offset of a field of the record's {@code ep}. */
    private static long endpoint(String field) {
        return Records.offset(LAYOUT, "ep") + Records.offset(ENDPOINTS, field);
    }
}
