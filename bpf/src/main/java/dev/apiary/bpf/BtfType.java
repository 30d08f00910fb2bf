package dev.apiary.bpf;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A C type as BTF describes it, with typedefs and qualifiers resolved away: what a decoder
 * needs to lay out and read a value. {@link #layout()} gives the matching {@link MemoryLayout};
 * {@link #decode} reads a value into plain Java objects (numbers, strings, lists, maps).
 */
public sealed interface BtfType {

    /** Size in bytes. */
    long size();

    /** The layout of a value of this type (unnamed; members carry their field names). */
    MemoryLayout layout();

    /**
     * Reads a value at {@code offset}: integers as Long (unsigned ones of 8 bytes may read negative),
     * char arrays as String up to the first NUL, other arrays as List, structs and unions as
     * Map from field name to value (in declaration order), enums as their constant's name.
     */
    Object decode(MemorySegment segment, long offset);

    /** An integer, char or bool. */
    record Int(String name, long size, boolean signed, boolean isChar, boolean isBool) implements BtfType {
        @Override
        public MemoryLayout layout() {
            if (isBool && size == 1) {
                return ValueLayout.JAVA_BOOLEAN;
            }
            return integerLayout(size);
        }

        @Override
        public Object decode(MemorySegment s, long offset) {
            if (isBool) {
                return s.get(ValueLayout.JAVA_BYTE, offset) != 0;
            }
            return readInteger(s, offset, size, signed);
        }
    }

    /** float or double. */
    record Float(String name, long size) implements BtfType {
        @Override
        public MemoryLayout layout() {
            return size == 4 ? ValueLayout.JAVA_FLOAT : ValueLayout.JAVA_DOUBLE;
        }

        @Override
        public Object decode(MemorySegment s, long offset) {
            return size == 4 ? (Object) s.get(ValueLayout.JAVA_FLOAT_UNALIGNED, offset)
                    : (Object) s.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, offset);
        }
    }

    /** A pointer: in an event it is only a number. */
    record Pointer() implements BtfType {
        @Override
        public long size() {
            return 8;
        }

        @Override
        public MemoryLayout layout() {
            return ValueLayout.JAVA_LONG;
        }

        @Override
        public Object decode(MemorySegment s, long offset) {
            return s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        }
    }

    /** An enum: its constants by value. */
    record Enum(String name, long size, boolean signed, Map<Long, String> constants) implements BtfType {
        @Override
        public MemoryLayout layout() {
            return integerLayout(size);
        }

        @Override
        public Object decode(MemorySegment s, long offset) {
            long v = readInteger(s, offset, size, signed);
            return constants.getOrDefault(v, Long.toString(v));
        }
    }

    /** A fixed-size array. */
    record Array(BtfType element, long length) implements BtfType {
        @Override
        public long size() {
            return element.size() * length;
        }

        @Override
        public MemoryLayout layout() {
            return MemoryLayout.sequenceLayout(length, element.layout());
        }

        /** char[N] holds text. */
        public boolean isString() {
            return element instanceof Int i && i.size() == 1 && (i.isChar() || "char".equals(i.name()));
        }

        @Override
        public Object decode(MemorySegment s, long offset) {
            if (isString()) {
                return readCString(s, offset, length);
            }
            List<Object> values = new ArrayList<>();
            for (long i = 0; i < length; i++) {
                values.add(element.decode(s, offset + i * element.size()));
            }
            return values;
        }
    }

    /** A struct or union member; bitSize is 0 unless it is a bitfield. */
    record Field(String name, BtfType type, long bitOffset, int bitSize) {
        public long byteOffset() {
            return bitOffset / 8;
        }

        public boolean isBitfield() {
            return bitSize != 0;
        }
    }

    /** A struct or union. Anonymous nested members have an empty name. */
    record Struct(String name, long size, boolean union, List<Field> fields) implements BtfType {

        @Override
        public MemoryLayout layout() {
            List<MemoryLayout> members = new ArrayList<>();
            if (union) {
                for (Field f : fields) {
                    if (!f.isBitfield()) {
                        members.add(named(f.type().layout(), f.name()));
                    }
                }
                long max = members.stream().mapToLong(MemoryLayout::byteSize).max().orElse(0);
                if (max < size) {
                    members.add(MemoryLayout.paddingLayout(size - max));
                }
                return MemoryLayout.unionLayout(members.toArray(MemoryLayout[]::new));
            }
            long at = 0;
            for (Field f : fields) {
                if (f.isBitfield() || f.byteOffset() < at) {
                    continue; // bitfields become padding; they are read through decode()
                }
                if (f.byteOffset() > at) {
                    members.add(MemoryLayout.paddingLayout(f.byteOffset() - at));
                }
                MemoryLayout member = named(f.type().layout(), f.name());
                if (f.byteOffset() % member.byteAlignment() != 0) {
                    member = member.withByteAlignment(Long.lowestOneBit(Math.max(1, f.byteOffset())));
                }
                members.add(member);
                at = f.byteOffset() + member.byteSize();
            }
            if (at < size) {
                members.add(MemoryLayout.paddingLayout(size - at));
            }
            return MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new));
        }

        @Override
        public Object decode(MemorySegment s, long offset) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Field f : fields) {
                Object v;
                if (f.isBitfield()) {
                    v = readBits(s, offset, f);
                } else {
                    v = f.type().decode(s, offset + f.byteOffset());
                }
                if (f.name().isEmpty() && v instanceof Map<?, ?> inner) {
                    inner.forEach((k, x) -> values.put((String) k, x)); // anonymous struct/union: its fields are ours
                } else {
                    values.put(f.name(), v);
                }
            }
            return values;
        }

        /** The field of that name, looking into anonymous members. */
        public java.util.Optional<Field> field(String fieldName) {
            for (Field f : fields) {
                if (f.name().equals(fieldName)) {
                    return java.util.Optional.of(f);
                }
            }
            return java.util.Optional.empty();
        }

        private static long readBits(MemorySegment s, long offset, Field f) {
            long firstByte = f.bitOffset() / 8;
            int shift = (int) (f.bitOffset() % 8);
            long raw = 0;
            int bytes = (shift + f.bitSize() + 7) / 8;
            for (int i = 0; i < bytes; i++) { // little-endian
                raw |= (s.get(ValueLayout.JAVA_BYTE, offset + firstByte + i) & 0xFFL) << (8 * i);
            }
            long value = (raw >>> shift) & (f.bitSize() == 64 ? -1L : (1L << f.bitSize()) - 1);
            if (f.type() instanceof Int i && i.signed() && f.bitSize() < 64 && (value >>> (f.bitSize() - 1)) != 0) {
                value |= -1L << f.bitSize();
            }
            return value;
        }
    }

    /** A type this model does not decode (a function, a forward declaration): read as raw bytes. */
    record Opaque(String kind, long size) implements BtfType {
        @Override
        public MemoryLayout layout() {
            return MemoryLayout.paddingLayout(Math.max(1, size));
        }

        @Override
        public Object decode(MemorySegment s, long offset) {
            return s.asSlice(offset, size).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static MemoryLayout named(MemoryLayout layout, String name) {
        return name.isEmpty() ? layout : layout.withName(name);
    }

    private static MemoryLayout integerLayout(long size) {
        return switch ((int) size) {
            case 1 -> ValueLayout.JAVA_BYTE;
            case 2 -> ValueLayout.JAVA_SHORT;
            case 4 -> ValueLayout.JAVA_INT;
            case 8 -> ValueLayout.JAVA_LONG;
            default -> MemoryLayout.sequenceLayout(size / 8, ValueLayout.JAVA_LONG);
        };
    }

    private static long readInteger(MemorySegment s, long offset, long size, boolean signed) {
        return switch ((int) size) {
            case 1 -> signed ? s.get(ValueLayout.JAVA_BYTE, offset) : s.get(ValueLayout.JAVA_BYTE, offset) & 0xFFL;
            case 2 -> signed ? s.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset)
                    : s.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset) & 0xFFFFL;
            case 4 -> signed ? s.get(ValueLayout.JAVA_INT_UNALIGNED, offset)
                    : s.get(ValueLayout.JAVA_INT_UNALIGNED, offset) & 0xFFFF_FFFFL;
            default -> s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset); // 8; wider ints keep their low 64 bits
        };
    }

    static String readCString(MemorySegment s, long offset, long max) {
        return Records.cString(s, offset, max);
    }
}
