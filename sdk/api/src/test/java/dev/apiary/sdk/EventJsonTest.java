package dev.apiary.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apiary.bpf.BootClock;
import dev.apiary.bpf.EventHeader;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The event log's writer ({@link EventJson#write}, fields read through typed getters, the time
 * from {@link InstantText}) writes exactly the object {@link EventJson#map} describes.
 */
class EventJsonTest {

    public record Every(EventHeader header, ContainerRef container, long bytes, int port, short family, byte code,
            boolean cut, String path, List<String> args, double ratio, char mark, Map<String, Object> extra)
            implements Event {
        @Override
        public String tracker() {
            return "every";
        }

        @Override
        public String type() {
            return "kind";
        }
    }

    /** An event whose fields are its own map, not its components. */
    public record Own(EventHeader header, ContainerRef container) implements Event {
        @Override
        public String tracker() {
            return "own";
        }

        @Override
        public String type() {
            return "own";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bytesSent", 7L);
            m.put("name", "x\"y");
            return m;
        }
    }

    private static final ContainerRef WEB = new ContainerRef("c".repeat(64), "web\u001b[2J", "busybox:local", "docker",
            Map.of("tier", "front", "app", "shop"), "", "");

    private static EventHeader header(long tsNanos) {
        return new EventHeader(tsNanos, 42, 10, 11, 1, 0, 0, 4026531840L, 4026531836L, 4026531992L, 1, 0, "sh\u0007");
    }

    @Test
    void writeIsTheMapItDescribesForEveryKindOfField() {
        Every e = new Every(header(5_123_456_789L), WEB, Long.MIN_VALUE, 65535, (short) -2, (byte) 7, true,
                "/tmp/quote \" back \\ nl \n bidi \u202e é", List.of("a", "b\tc"), Double.NaN, 'q',
                Map.of("k", 1));
        assertEquals(Json.of(EventJson.map(e)), EventJson.of(e));
        String json = EventJson.of(e);
        assertEquals(true, json.contains(",\"bytes\":-9223372036854775808,\"port\":65535,\"family\":-2,\"code\":7,\"cut\":true,"), json);
        assertEquals(true, json.contains("\"path\":\"/tmp/quote \\\" back \\\\ nl \\n bidi \\u202e é\""), json);
        assertEquals(true, json.contains("\"ratio\":null,\"mark\":\"q\""), json);
        assertEquals(true, json.contains("\"name\":\"web\\u001b[2J\""), json);
    }

    @Test
    void anEventWithItsOwnFieldsIsWrittenFromThem() {
        Own e = new Own(header(1), ContainerRef.HOST);
        assertEquals(Json.of(EventJson.map(e)), EventJson.of(e));
        assertEquals(true, EventJson.of(e).endsWith(",\"bytes_sent\":7,\"name\":\"x\\\"y\"}"), EventJson.of(e));
    }

    @Test
    void theTimeIsWrittenAsInstantWritesIt() {
        long base = BootClock.toEpochNanos(0);
        // Whole seconds, milli-, micro- and nanoseconds, the last nanosecond of a second, and the
        // second after: each as Instant.toString writes it.
        for (long offset : new long[] {0, 1_000_000_000L, 1_000_000, 120_000, 7, 999_999_999, 1_000_000_001L, 59_000_000_000L}) {
            long boot = Math.floorDiv(base, 1_000_000_000L) * 1_000_000_000L - base + offset + 1_000_000_000L * 3600;
            Instant expected = BootClock.toInstant(boot);
            StringBuilder out = new StringBuilder();
            InstantText.append(BootClock.toEpochNanos(boot), out);
            assertEquals(expected.toString(), out.toString(), "offset " + offset);
        }
        for (Instant i : new Instant[] {Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.5Z"),
                Instant.parse("2262-04-11T23:47:16.854775807Z")}) {
            StringBuilder out = new StringBuilder();
            InstantText.append(i.getEpochSecond() * 1_000_000_000L + i.getNano(), out);
            assertEquals(i.toString(), out.toString());
        }
    }

    @Test
    void oneFieldIsReadByNameWithoutTheMapAndAnOwnMapIsAsked() {
        Every e = new Every(header(1), WEB, 9L, 80, (short) 2, (byte) 1, true, "/p", List.of("a"), 0.5, 'x', Map.of());
        assertEquals(9L, EventFields.get(e, "bytes"));
        assertEquals("/p", EventFields.get(e, "path"));
        assertEquals(List.of("a"), EventFields.get(e, "args"));
        assertEquals(null, EventFields.get(e, "header"), "header and container are not fields");
        assertEquals(null, EventFields.get(e, "nothing"));
        assertEquals(7L, EventFields.get(new Own(header(1), WEB), "bytesSent"));
    }
}
