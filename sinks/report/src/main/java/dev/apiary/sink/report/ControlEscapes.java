package dev.apiary.sink.report;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Jackson's JSON escapes plus DEL and the C1 controls (U+0080–U+009F), which JSON allows raw
 * but a terminal runs (U+009B is CSI): a report shown with {@code cat} or {@code report:show
 * --json} cannot drive a terminal, as the SDK's own JSON cannot. Other text stays as it is.
 */
final class ControlEscapes extends CharacterEscapes {

    static final ControlEscapes INSTANCE = new ControlEscapes();

    private final int[] ascii;

    private ControlEscapes() {
        ascii = standardAsciiEscapesForJSON(); // C0 controls, quote, backslash
        ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        return ch >= 0x80 && ch <= 0x9f ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }
}
