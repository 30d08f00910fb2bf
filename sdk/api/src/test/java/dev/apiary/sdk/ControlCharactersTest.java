package dev.apiary.sdk;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.apiary.sdk.testing.ControlCharacters;
import org.junit.jupiter.api.Test;

/** The test kit's checks fail where they should. */
class ControlCharactersTest {

    @Test
    void jsonMayHaveLinesAndCarryBidirectionalControlsButNoRawC0OrC1() {
        ControlCharacters.assertNoneInJson("{\"a\":\"x\\u001b\"}\n[1]\n{\"b\":\"\u202e\"}\nsummary\n");
        assertThrows(AssertionError.class, () -> ControlCharacters.assertNoneInJson("{\"a\":\"x\u001b\"}"));
        assertThrows(AssertionError.class, () -> ControlCharacters.assertNoneInJson("{\"a\":\"x\r\"}"));
        assertThrows(AssertionError.class, () -> ControlCharacters.assertNoneInJson("{\"a\":\"\u009b\"}"));
        assertThrows(AssertionError.class, () -> ControlCharacters.assertNoneInJson("{\"a\":\"\u007f\"}"));
    }

    @Test
    void textMayHoldNewlinesButNoOtherControl() {
        ControlCharacters.assertNone("a\nb");
        assertThrows(AssertionError.class, () -> ControlCharacters.assertNone("x\u202eRLO"));
        assertThrows(AssertionError.class, () -> ControlCharacters.assertNone(ControlCharacters.HOSTILE));
    }
}
