package dev.apiary.core.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {

    public record Sample(EventHeader header, ContainerRef container, String path, List<String> args,
            boolean argsCut, int exitCode, long lifetimeNs) implements Event {
        @Override
        public String tracker() {
            return "sample";
        }

        @Override
        public String type() {
            return "run";
        }
    }

    private static final ContainerRef WEB = new ContainerRef("b".repeat(64), "web", "busybox:local", "docker",
            Map.of("app", "shop", "tier", "front"), "web-0", "default");

    private static Sample sample(int pid, ContainerRef container, String path) {
        EventHeader h = new EventHeader(1_000_000_000L * pid, 4242, pid, pid + 1, 1, 0, 0,
                4026531840L, 4026531836L, 4026531992L, 1, 0, "sh");
        return new Sample(h, container, path, List.of(path, "-l", "quote \" and \\ and ü"), true, -3, 5_000_000_000L);
    }

    @Test
    void eachEventIsOneLineWithTheSameContentAsTheEventMap(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.jsonl");
        List<Sample> events = List.of(sample(10, WEB, "/bin/ls"), sample(11, ContainerRef.HOST, "/usr/bin/env"),
                sample(12, WEB, "/bin/cat"));
        try (EventLog log = EventLog.open(file.toString())) {
            events.forEach(log::onEvent);
            log.onQueueEmpty();
            List<String> lines = Files.readAllLines(file);
            assertEquals(3, lines.size(), "flushed when the queue ran empty, one line per event");
            ObjectMapper mapper = new ObjectMapper();
            for (int i = 0; i < events.size(); i++) {
                JsonNode written = mapper.readTree(lines.get(i));
                JsonNode expected = mapper.readTree(Json.line(EventJson.map(events.get(i))));
                assertEquals(expected, written, "line " + i);
            }
            JsonNode first = mapper.readTree(lines.getFirst());
            assertEquals("web", first.path("container").path("name").asText());
            assertEquals("shop", first.path("container").path("labels").path("app").asText());
            assertEquals("quote \" and \\ and ü", first.path("args").get(2).asText());
            assertEquals(true, first.path("args_cut").asBoolean());
            assertEquals(5_000_000_000L, first.path("lifetime_ns").asLong());
            assertEquals("host", mapper.readTree(lines.get(1)).path("container").path("name").asText());
        }
    }

    @Test
    void controlCharactersAContainerWroteStayEscapedInsideOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.jsonl");
        try (EventLog log = EventLog.open(file.toString())) {
            log.onEvent(sample(3, WEB, "/tmp/\u001b[31mred\nfake line\r\u0007\u009b"));
        }
        String text = Files.readString(file);
        assertEquals(1, text.lines().count(), "the newline inside the path did not split the line");
        for (char c : text.substring(0, text.length() - 1).toCharArray()) {
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                throw new AssertionError("raw control character " + (int) c + " in " + text);
            }
        }
        assertEquals("/tmp/\u001b[31mred\nfake line\r\u0007\u009b",
                new ObjectMapper().readTree(text).path("path").asText(), "and reads back as it was");
    }

    @Test
    void closingAppendsWhatIsStillBufferedAndAReopenedLogAppends(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.jsonl");
        try (EventLog log = EventLog.open(file.toString())) {
            log.onEvent(sample(1, WEB, "/bin/true"));
        }
        try (EventLog log = EventLog.open(file.toString())) {
            log.onEvent(sample(2, WEB, "/bin/false"));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertEquals("/bin/false", new ObjectMapper().readTree(lines.get(1)).path("path").asText());
    }
}
