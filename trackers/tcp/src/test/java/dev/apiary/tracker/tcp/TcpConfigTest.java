package dev.apiary.tracker.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.apiary.sdk.testing.Metatypes;
import java.util.Map;
import org.apache.felix.metatype.AD;
import org.junit.jupiter.api.Test;

/**
 * The settings as {@code tracker:config tcp} sees them: the metatype bnd wrote from
 * {@link TcpTracker.Config}, read and validated with Felix's reader as core does. Their keys
 * are the methods' names with each underscore turned into a dot, as DS and the metatype
 * annotations map them: {@code ring_kb()} is {@code ring.kb}.
 */
class TcpConfigTest {

    @Test
    void theMetatypeRefusesValuesOutOfRange() throws Exception {
        Map<String, AD> ads = Metatypes.attributes(TcpTracker.PID);
        assertEquals(java.util.List.of("ring.kb", "state.changes", "table.queue", "sockets", "listeners"),
                java.util.List.copyOf(ads.keySet()));
        Metatypes.assertRingKb(ads, 4096);
        AD states = ads.get("state.changes");
        assertEquals(org.osgi.service.metatype.AttributeDefinition.BOOLEAN, states.getType());
        assertEquals(java.util.List.of("false"), java.util.List.of(states.getDefaultValue()), "off by default");
        assertEquals("", states.validate("true"));
        assertFalse(states.validate("maybe").isEmpty(), "not a boolean");
        for (String key : java.util.List.of("table.queue", "sockets", "listeners")) {
            AD ad = ads.get(key);
            assertFalse(ad.validate("10").isEmpty(), key + "=10");
            assertFalse(ad.validate("2000000").isEmpty(), key + "=2000000");
            assertEquals("", ad.validate(ad.getDefaultValue()[0]), key + "'s default");
        }
    }
}
