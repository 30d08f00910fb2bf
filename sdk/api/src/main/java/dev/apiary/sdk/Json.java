package dev.apiary.sdk;

import java.util.List;
import java.util.Map;

/**
 * The JSON a tracker's {@code --json} command output needs, without a JSON library in every
 * tracker bundle: maps (in their iteration order), lists, strings, numbers, booleans and
 * null; anything else is written as its {@code toString()} string. Strings are escaped as
 * RFC 8259 asks. Stateless and safe for concurrent use.
 */
public final class Json {

    private Json() {
    }

    /** {@code value} as one line of JSON. */
    public static String of(Object value) {
        StringBuilder out = new StringBuilder(128);
        write(out, value);
        return out.toString();
    }

    /** Appends {@code value} as JSON to {@code out}. */
    public static void write(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Double d when d.isNaN() || d.isInfinite() -> out.append("null");
            case Float f when f.isNaN() || f.isInfinite() -> out.append("null");
            case Long l -> out.append(l.longValue());
            case Integer i -> out.append(i.intValue());
            case Number n -> out.append(n);
            case Boolean b -> out.append(b);
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(out, String.valueOf(e.getKey()));
                    out.append(':');
                    write(out, e.getValue());
                }
                out.append('}');
            }
            case List<?> l -> {
                out.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(out, l.get(i));
                }
                out.append(']');
            }
            default -> string(out, value.toString());
        }
    }

    /** {@code s} as a JSON string, quotes included. */
    public static String string(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        string(out, s);
        return out.toString();
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        // Most strings need no escape: appended whole, not a char at a time.
        int first = 0;
        while (first < s.length() && !escaped(s.charAt(first))) {
            first++;
        }
        out.append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    // C0, DEL and C1 controls, the Unicode line separators and bidi controls as JSON unicode escapes:
                    // RFC 8259 allows some of them raw, but a terminal or a log reader acts on them.
                    if (control(c)) {
                        out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Whether {@link #string} writes {@code c} other than as itself. */
    private static boolean escaped(char c) {
        return c == '"' || c == '\\' || control(c);
    }

    private static boolean control(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();
}
