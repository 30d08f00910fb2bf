package dev.apiary.sdk.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextTest {

    /** Every character a terminal acts on: C0, DEL, C1, and the Unicode separators and bidi controls. */
    static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }

    @Test
    void everyControlCharacterBecomesAVisibleEscape() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            all.append(c);
        }
        String safe = Text.safe(all.toString());
        for (char c : safe.toCharArray()) {
            assertTrue(!isControl(c), "raw control " + (int) c + " left");
        }
        assertEquals("\\x1b[31mred\\n\\r\\t\\x07\\x08\\x7f\\x9b\\u202e", Text.safe("\u001b[31mred\n\r\t\u0007\b\u007f\u009b\u202e"));
    }

    @Test
    void aPlainStringIsReturnedAsItIs() {
        String s = "/usr/bin/ü-käse 日本";
        assertSame(s, Text.safe(s));
        assertEquals("", Text.safe((String) null));
    }

    @Test
    void listsAndValuesBecomeOneSafeCell() {
        assertEquals("[sh -c echo\\x1b]", Text.safe(List.of("sh", "-c", "echo\u001b")));
        assertEquals("42", Text.safe((Object) 42));
        assertEquals("", Text.safe((Object) null));
    }

    @Test
    void truncationEndsInAnEllipsisAndNeverSplitsACharacter() {
        assertEquals("abc", Text.truncate("abc", 3));
        assertEquals("ab…", Text.truncate("abcd", 3));
        assertEquals("abcd", Text.truncate("abcd", 0), "0 means no limit");
        assertEquals("a…", Text.truncate("a\uD83D\uDE00bc", 3), "not half of the emoji");
    }
}
