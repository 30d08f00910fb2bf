package dev.apiary.core.output;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/** One shared Jackson mapper for command output and event logs. Safe for concurrent use. */
public final class Json {

    private static final ObjectMapper MAPPER = escaping(new ObjectMapper()
            .findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS));
    private static final ObjectMapper PRETTY = escaping(MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT));

    private Json() {
    }

    /**
     * JSON escapes as the SDK's writer makes them: besides what JSON requires (C0 controls,
     * quote, backslash), DEL, the C1 controls (CSI 0x9b acts like ESC [ on many terminals) and
     * the Unicode line separators and bidirectional controls, so that JSON a container's
     * strings went into cannot drive a terminal it is printed on either.
     */
    private static final class TerminalSafeEscapes extends CharacterEscapes {

        private final int[] ascii;

        TerminalSafeEscapes() {
            ascii = CharacterEscapes.standardAsciiEscapesForJSON();
            ascii[0x7f] = CharacterEscapes.ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if ((ch >= 0x80 && ch <= 0x9f) || (ch >= 0x2028 && ch <= 0x202e) || (ch >= 0x2066 && ch <= 0x2069)) {
                return new SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }

    private static ObjectMapper escaping(ObjectMapper mapper) {
        mapper.getFactory().setCharacterEscapes(new TerminalSafeEscapes());
        return mapper;
    }

    /** A generator writing to {@code out} with the shared mapper as its codec; no separator between root values. */
    public static JsonGenerator generator(Writer out) {
        try {
            JsonGenerator g = MAPPER.getFactory().createGenerator(out);
            g.setRootValueSeparator(null);
            return g;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line of JSON. */
    public static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Indented JSON, for a person reading command output. */
    public static String pretty(Object value) {
        try {
            return PRETTY.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
