package dev.apiary.sdk.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void intervalsTakeMillisecondsSecondsMinutesHoursOrBareSeconds() {
        assertEquals(Duration.ofMillis(500), Options.interval("500ms"));
        assertEquals(Duration.ofSeconds(2), Options.interval("2s"));
        assertEquals(Duration.ofMinutes(1), Options.interval("1m"));
        assertEquals(Duration.ofHours(3), Options.interval("3h"));
        assertEquals(Duration.ofSeconds(5), Options.interval(" 5 "));
    }

    @Test
    void aBadIntervalHasOneText() {
        for (String bad : new String[] {"5x", "", "0s", "-1s", "1.5s", "ms"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.interval(bad));
            assertEquals("--interval: '" + bad.strip() + "' is not a duration; give e.g. 500ms, 2s or 1m", e.getMessage());
        }
    }

    @Test
    void aRangedIntervalNamesItsRange() {
        assertEquals(Duration.ofSeconds(2), Options.interval("2s", Duration.ofMillis(100), Duration.ofHours(1)));
        for (String bad : new String[] {"50ms", "2h"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Options.interval(bad, Duration.ofMillis(100), Duration.ofHours(1)));
            assertEquals("--interval: '" + bad + "' is out of range; give 100ms to 1h", e.getMessage());
        }
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
                () -> Options.duration("--duration", "soon", Duration.ofSeconds(1), Duration.ofMinutes(1)));
        assertEquals("--duration: 'soon' is not a duration; give e.g. 500ms, 2s or 1m", word.getMessage());
    }

    @Test
    void countsAreWholeNumbersFromZero() {
        assertEquals(0, Options.count("0"));
        assertEquals(25, Options.count("25"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.count("-3"));
        assertEquals("--count: '-3' is not a count; give a whole number, 0 for no limit", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Options.count("ten\u001b"));
        assertEquals("--count: 'ten\\x1b' is not a count; give a whole number, 0 for no limit", e.getMessage());
    }

    @Test
    void numbersNameTheirRange() {
        assertEquals(7, Options.number("--top", "7", 1, 100));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.number("--top", "0", 1, 100));
        assertEquals("--top: '0' is not a whole number from 1 to 100", e.getMessage());
    }

    @Test
    void durationsReadBackAsTheyAreWritten() {
        for (String s : new String[] {"500ms", "2s", "1m", "2h", "1500ms"}) {
            assertEquals(s, Options.format(Options.interval(s)));
        }
    }
}
