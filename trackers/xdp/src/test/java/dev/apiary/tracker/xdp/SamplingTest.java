package dev.apiary.tracker.xdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sampling over a recorded kernel (no BPF): one capture at a time, switched on and off once each, inert after the run. */
class SamplingTest {

    private final List<String> calls = new ArrayList<>();
    private final List<byte[]> filters = new ArrayList<>();
    private final Sampling sampling = new Sampling((on, rate, filter) -> {
        calls.add((on ? "on " : "off ") + rate);
        filters.add(filter);
    }, 200);
    private final Attachment web = new Attachment(null, "web", 0, 0, Hook.GENERIC,
            List.of(new Port(Side.HOST, 11, "veth3c1d2e7", null), new Port(Side.INNER, 2, "eth0", null)));

    @Test
    void aCaptureTurnsSamplingOnWithItsFilterAndRateAndOffOnce() {
        Capture c = sampling.start(web, Rule.parse("tcp port 80"));
        assertEquals(List.of("on 200"), calls);
        assertArrayEquals(Rule.parse("tcp port 80").encode(11, 2), filters.getFirst(), "the filter on web's two ends");
        c.close();
        c.close();
        assertEquals(List.of("on 200", "off 0"), calls);
        assertArrayEquals(new byte[Rule.SIZE], filters.getLast());
    }

    @Test
    void oneCaptureAtATime() {
        Capture c = sampling.start(web, Rule.ANY);
        assertEquals("a capture is already running; one at a time",
                assertThrows(IllegalStateException.class, () -> sampling.start(web, Rule.ANY)).getMessage());
        c.close();
        sampling.start(web, Rule.ANY).close();
        assertEquals(List.of("on 200", "off 0", "on 200", "off 0"), calls);
    }

    @Test
    void afterTheRunEndsACaptureClosedLateWritesNothingAndNoneStarts() {
        Capture c = sampling.start(web, Rule.ANY);
        sampling.end();
        c.close();
        assertEquals(List.of("on 200"), calls, "the maps may be closed by now");
        assertThrows(IllegalStateException.class, () -> sampling.start(web, Rule.ANY));
    }
}
