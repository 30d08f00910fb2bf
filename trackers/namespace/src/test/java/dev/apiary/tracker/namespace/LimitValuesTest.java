package dev.apiary.tracker.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.Containers.Limit;
import org.junit.jupiter.api.Test;

class LimitValuesTest {

    @Test
    void memoryIsParsedAsDockerDoes() {
        assertEquals(1048576, LimitValues.parse(Limit.MEMORY, "1048576"));
        assertEquals(64L << 20, LimitValues.parse(Limit.MEMORY, "64m"));
        assertEquals(64L << 20, LimitValues.parse(Limit.MEMORY, "64M"));
        assertEquals(64L << 20, LimitValues.parse(Limit.MEMORY, "64mb"));
        assertEquals(64L << 20, LimitValues.parse(Limit.MEMORY, "64MiB"));
        assertEquals(1L << 30, LimitValues.parse(Limit.MEMORY, "1g"));
        assertEquals(512L << 10, LimitValues.parse(Limit.MEMORY, "512k"));
        assertEquals(3L << 29, LimitValues.parse(Limit.MEMORY, "1.5g"));
        assertEquals(100, LimitValues.parse(Limit.MEMORY, "100b"));
    }

    @Test
    void cpuIsInNanoCpus() {
        assertEquals(500_000_000L, LimitValues.parse(Limit.CPU, "0.5"));
        assertEquals(1_500_000_000L, LimitValues.parse(Limit.CPU, "1.5"));
        assertEquals(2_000_000_000L, LimitValues.parse(Limit.CPU, "2"));
        assertEquals(1L, LimitValues.parse(Limit.CPU, "0.000000001"));
    }

    @Test
    void pidsAreAWholeNumber() {
        assertEquals(100, LimitValues.parse(Limit.PIDS, "100"));
    }

    @Test
    void badValuesSayWhatIsWrongInOneLine() {
        assertMessage("bad memory value 'lots'", () -> LimitValues.parse(Limit.MEMORY, "lots"));
        assertMessage("bad memory value '64x'", () -> LimitValues.parse(Limit.MEMORY, "64x"));
        assertMessage("must be more than 0", () -> LimitValues.parse(Limit.MEMORY, "0"));
        assertMessage("bad memory value '-1'", () -> LimitValues.parse(Limit.MEMORY, "-1"));
        assertMessage("too large", () -> LimitValues.parse(Limit.MEMORY, "99999999p"));
        assertMessage("bad cpu value '0.5x'", () -> LimitValues.parse(Limit.CPU, "0.5x"));
        assertMessage("at most 9 decimals", () -> LimitValues.parse(Limit.CPU, "0.0000000001"));
        assertMessage("must be more than 0", () -> LimitValues.parse(Limit.CPU, "-0.5"));
        assertMessage("bad pids value '-3'", () -> LimitValues.parse(Limit.PIDS, "-3"));
        assertMessage("bad pids value '1.5'", () -> LimitValues.parse(Limit.PIDS, "1.5"));
        assertMessage("must be more than 0", () -> LimitValues.parse(Limit.PIDS, "0"));
    }

    @Test
    void kindsAreNamedAsInTheCommand() {
        assertEquals(Limit.MEMORY, LimitValues.kind("memory"));
        assertEquals(Limit.CPU, LimitValues.kind("CPU"));
        assertEquals(Limit.PIDS, LimitValues.kind("pids"));
        assertMessage("unknown limit 'disk': give memory, cpu or pids", () -> LimitValues.kind("disk"));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
