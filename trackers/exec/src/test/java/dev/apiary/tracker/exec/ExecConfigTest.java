package dev.apiary.tracker.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.apiary.sdk.testing.Metatypes;
import java.util.Map;
import org.apache.felix.metatype.AD;
import org.junit.jupiter.api.Test;

/**
 * The settings as {@code tracker:config exec} sees them: the metatype bnd wrote from
 * {@link ExecTracker.Config}, read and validated with Felix's reader as core does. Their keys
 * are the methods' names with each underscore turned into a dot, as DS and the metatype
 * annotations map them: {@code ring_kb()} is {@code ring.kb}.
 */
class ExecConfigTest {

    @Test
    void theMetatypeRefusesValuesOutOfRange() throws Exception {
        Map<String, AD> ads = Metatypes.attributes(ExecTracker.PID);
        assertEquals(java.util.List.of("ring.kb", "table.queue"), java.util.List.copyOf(ads.keySet()));
        Metatypes.assertRingKb(ads, 8192);
        AD queue = ads.get("table.queue");
        assertFalse(queue.validate("10").isEmpty());
        assertFalse(queue.validate("2000000").isEmpty());
        assertEquals("", queue.validate("65536"));
    }
}
