package dev.apiary.tracker.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.testing.TestConfig;
import java.util.List;
import java.util.Map;
import org.apache.felix.metatype.AD;
import dev.apiary.sdk.testing.Metatypes;
import org.junit.jupiter.api.Test;

/**
 * The settings as {@code tracker:config xdp} sees them: the metatype bnd wrote from
 * {@link XdpTracker.Config}, read and validated with Felix's reader as core does (keys are the
 * methods' names with each underscore a dot: {@code ring_kb()} is {@code ring.kb}); and the
 * sizes they give the object before load (opened, not loaded: no root needed).
 */
class XdpConfigTest {


    @Test
    void theMetatypeRefusesValuesOutOfRange() throws Exception {
        Map<String, AD> ads = Metatypes.attributes(XdpTracker.PID);
        assertEquals(List.of("ring.kb", "capture.rate", "flows", "check.ms"), List.copyOf(ads.keySet()));
        AD ring = ads.get("ring.kb");
        assertEquals("256", ring.getMin());
        assertEquals("1048576", ring.getMax());
        assertFalse(ring.validate("1").isEmpty(), "1 KiB refused");
        assertFalse(ring.validate("lots").isEmpty(), "not a number");
        assertEquals("", ring.validate("1024"));
        AD rate = ads.get("capture.rate");
        assertFalse(rate.validate("0").isEmpty());
        assertFalse(rate.validate("100001").isEmpty());
        assertEquals("", rate.validate("200"));
        AD flows = ads.get("flows");
        assertFalse(flows.validate("10").isEmpty());
        assertFalse(flows.validate("2000000").isEmpty());
        assertEquals("", flows.validate("16384"));
        AD check = ads.get("check.ms");
        assertFalse(check.validate("10").isEmpty());
        assertFalse(check.validate("60001").isEmpty());
        assertEquals("", check.validate("1000"));
    }

    @Test
    void theDefaultsAreTodaysSizes() throws Exception {
        try (BpfObject obj = configured(Map.of())) {
            assertEquals(1 << 20, obj.map("apiary_events").maxEntries());
            assertEquals(16384, obj.map("xdp_flows").maxEntries());
        }
    }

    @Test
    void theRingAndTheFlowTableTakeTheirSettings() throws Exception {
        try (BpfObject obj = configured(Map.of("ring.kb", 300, "flows", 4096))) {
            assertEquals(512 * 1024, obj.map("apiary_events").maxEntries(), "300 KiB rounded up to a power of two");
            assertEquals(4096, obj.map("xdp_flows").maxEntries());
        }
    }


    private static BpfObject configured(Map<String, ?> settings) {
        BpfObject obj = BpfObject.open(PacketTrackerBpfTest.OBJECT);
        new XdpTracker(TestConfig.of(XdpTracker.Config.class, settings)).configure(obj);
        return obj;
    }
}
