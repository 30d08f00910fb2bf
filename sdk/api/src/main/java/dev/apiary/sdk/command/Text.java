package dev.apiary.sdk.command;

import java.util.List;

/**
 * Strings made safe for a terminal. Whatever a container chooses (process names, arguments,
 * paths, hostnames, labels) may hold ESC sequences that recolour, move the cursor, retitle
 * the window or hide what follows; CR, BS and newlines that overwrite or forge lines. Every
 * text a command prints that came from a container goes through {@link #safe}, which makes
 * those characters visible instead: ESC as {@code \x1b}, newline as {@code \n}. Stateless.
 */
public final class Text {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Text() {
    }

    /**
     * {@code s} with every character a terminal would act on written as an escape:
     * {@code \n}, {@code \r}, {@code \t}, other C0 controls, DEL and C1 controls as
     * {@code \xNN}, and the Unicode line separators and bidirectional overrides (which
     * reorder what a reader sees) as <code>&#92;uNNNN</code>. Everything else is left as it is; a
     * string without such characters is returned unchanged.
     *
     * @return "" for null
     */
    public static String safe(String s) {
        if (s == null) {
            return "";
        }
        int first = firstUnsafe(s);
        if (first < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 8);
        out.append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!unsafe(c)) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c <= 0xff) {
                        out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * A multi-line message (a verifier log, say) made safe line by line: its line breaks
     * stay, everything else is escaped as {@link #safe(String)} does.
     */
    public static String safeLines(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (String line : s.split("\r?\n", -1)) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(safe(line));
        }
        return out.toString();
    }

    /**
     * A value as one safe cell: null as "", a list as its items between brackets separated
     * by spaces, anything else as its string, through {@link #safe(String)}.
     */
    public static String safe(Object value) {
        return switch (value) {
            case null -> "";
            case String s -> safe(s);
            case List<?> list -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        sb.append(' ');
                    }
                    sb.append(safe(list.get(i)));
                }
                yield sb.append(']').toString();
            }
            default -> safe(String.valueOf(value));
        };
    }

    /**
     * {@code s} cut to {@code width} characters, its last one an ellipsis when it was cut.
     * Cut after {@link #safe}: an escape may lose its tail, never turn back into a control.
     */
    public static String truncate(String s, int width) {
        if (width <= 0 || s.length() <= width) {
            return s;
        }
        int end = width - 1;
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never leave half a character
        }
        return s.substring(0, end) + "…";
    }

    /** Whether {@code s} holds no character that {@link #safe} would escape. */
    public static boolean isSafe(String s) {
        return s == null || firstUnsafe(s) < 0;
    }

    private static int firstUnsafe(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (unsafe(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean unsafe(char c) {
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            return true;
        }
        // U+2028/2029 line and paragraph separators, U+202A-202E embeddings and overrides,
        // U+2066-2069 isolates: the "Trojan Source" characters.
        return (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }
}
