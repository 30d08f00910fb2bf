package dev.apiary.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void mapsKeepTheirOrderAndValuesTheirTypes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "web");
        m.put("pid", 42);
        m.put("bytes", 1L << 40);
        m.put("cut", false);
        m.put("args", List.of("sh", "-c"));
        m.put("none", null);
        m.put("nested", Map.of("k", 1.5));
        assertEquals("{\"name\":\"web\",\"pid\":42,\"bytes\":1099511627776,\"cut\":false,\"args\":[\"sh\",\"-c\"],"
                + "\"none\":null,\"nested\":{\"k\":1.5}}", Json.of(m));
    }

    @Test
    void stringsAreEscapedAsRfc8259Asks() {
        assertEquals("\"a\\\"b\\\\c\\nd\\te\\u0001ü\"", Json.string("a\"b\\c\nd\te\u0001ü"));
    }

    @Test
    void numbersJsonCannotHoldBecomeNullAndOtherObjectsTheirText() {
        assertEquals("[null,null,\"PT1S\"]", Json.of(Arrays.asList(Double.NaN, Float.POSITIVE_INFINITY, java.time.Duration.ofSeconds(1))));
    }
}
