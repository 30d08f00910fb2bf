package dev.apiary.core.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    private static final String HOSTILE = "a\u001b[2J\u0007\u007f\u009b\u202e\u2028ü";

    @Test
    void everyCharacterATerminalActsOnIsEscapedAndReadsBack() throws Exception {
        for (String json : new String[] {Json.line(Map.of("s", HOSTILE)), Json.pretty(Map.of("s", HOSTILE))}) {
            for (char c : json.toCharArray()) {
                boolean control = (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || (c >= 0x2028 && c <= 0x202e);
                if (control) {
                    throw new AssertionError("raw U+" + Integer.toHexString(c) + " in " + json);
                }
            }
            assertEquals(HOSTILE, new ObjectMapper().readTree(json).path("s").asText(), "and it reads back as it was");
        }
        assertEquals("{\"s\":\"a\\u001B[2J\\u0007\\u007F\\u009b\\u202e\\u2028ü\"}", Json.line(Map.of("s", HOSTILE)));
    }
}
