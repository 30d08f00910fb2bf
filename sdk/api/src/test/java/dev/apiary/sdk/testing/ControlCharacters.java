package dev.apiary.sdk.testing;

/** Checks that text output holds no raw control character a container could have put there. */
public final class ControlCharacters {

    /** A string with one of each kind of character a terminal acts on. */
    public static final String HOSTILE = "x\u001b[31mRED\u001b]0;title\u0007\rCR\bBS\nNL\u009b2J\u202eRLO\u0000end";

    private ControlCharacters() {
    }

    /**
     * Fails with the offending character and where it is when {@code text} holds a C0
     * control other than a newline, DEL, a C1 control, or a Unicode line separator or
     * bidirectional control.
     */
    public static void assertNone(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f)
                    || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
            if (control) {
                int from = Math.max(0, i - 40);
                throw new AssertionError(String.format("raw control character U+%04X at %d, after: %s", (int) c, i,
                        text.substring(from, i).replace("\n", "\\n")));
            }
        }
    }

    /**
     * Fails with the offending character and where it is when JSON output {@code json} holds a
     * raw C0 control other than a newline (between lines: inside a string the Json writes
     * {@code \n}), DEL or C1 control: what the SDK's Json escapes. The Unicode line separators
     * and bidirectional controls the Json leaves raw (they move no cursor) are allowed, so
     * {@link #assertNone} does not hold for JSON.
     */
    public static void assertNoneInJson(String json) {
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if ((c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f)) {
                int from = Math.max(0, i - 40);
                throw new AssertionError(String.format("raw control character U+%04X at %d in JSON, after: %s", (int) c, i,
                        json.substring(from, i)));
            }
        }
    }
}
