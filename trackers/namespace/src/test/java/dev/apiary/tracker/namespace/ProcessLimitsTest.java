package dev.apiary.tracker.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits reports read: this test's own process, through the machine's real cgroup mounts. */
class ProcessLimitsTest {

    @Test
    void aLiveProcessHasItsLimitsByResourceAndAGoneOneNone() {
        Map<String, String> mine = new ProcessLimits().ofProcess((int) ProcessHandle.current().pid());
        assertFalse(mine.isEmpty(), "cgroups are mounted on every machine Apiary runs on");
        assertTrue(mine.keySet().stream().allMatch(k -> k.equals("memory") || k.equals("cpu") || k.equals("pids")), mine.toString());
        assertTrue(mine.values().stream().noneMatch(String::isBlank), mine.toString());
        assertEquals(Map.of(), new ProcessLimits().ofProcess(Integer.MAX_VALUE), "no such process");
    }
}
