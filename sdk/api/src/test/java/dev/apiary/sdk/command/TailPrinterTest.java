package dev.apiary.sdk.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.EventTypes;
import dev.apiary.sdk.FieldDoc;
import dev.apiary.sdk.Tail;
import dev.apiary.sdk.testing.TestEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TailPrinterTest {

    public record Tick(EventHeader header, ContainerRef container, @FieldDoc("n") int n) implements Event {}

    static {
        EventTypes.bind("clock", List.of(new EventType("tick", Tick.class, "")));
    }

    private final TestEvents events = new TestEvents();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

    @Test
    void itPrintsUntilTheCountAndSkipsWhatTheLineMapsToNull() throws Exception {
        try (Tail tail = events.tail("test", new EventFilter("clock", null, null), e -> true, 16)) {
            for (int i = 1; i <= 5; i++) {
                events.publish(new Tick(TestEvents.header(1, "sh", i), ContainerRef.HOST, i));
            }
            long printed = TailPrinter.print(tail, 2, print, print, e -> ((Tick) e).n() % 2 == 0 ? "tick " + ((Tick) e).n() : null);
            assertEquals(2, printed);
            assertEquals("tick 2\ntick 4\n", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aLimitedTailEndsByItselfWithWhatItPrinted() throws Exception {
        try (Tail tail = events.tail("test", new EventFilter("clock", null, null), e -> true, 16)) {
            events.publish(new Tick(TestEvents.header(1, "sh", 1), ContainerRef.HOST, 1));
            long began = System.nanoTime();
            long printed = TailPrinter.print(tail, 0, Duration.ofMillis(300), print, print, e -> "tick");
            long tookMs = (System.nanoTime() - began) / 1_000_000;
            assertEquals(1, printed);
            assertTrue(tookMs >= 290, "ended after " + tookMs + " ms, before its limit");
            assertTrue(tookMs < 10_000, "did not end by itself: " + tookMs + " ms");
        }
    }
}
