package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.apache.felix.metatype.AD;
import dev.apiary.sdk.testing.Metatypes;
import org.junit.jupiter.api.Test;

/**
 * The settings as {@code tracker:config ${trackerName}} sees them: the metatype bnd wrote from
 * {@link ${trackerClass}Tracker.Config}, read and checked with Felix's reader as Apiary does. No
 * kernel needed.
 */
class ${trackerClass}ConfigTest {


    @Test
    void theSettingsHaveTheirKeysAndRefuseValuesOutOfRange() throws Exception {
        Map<String, AD> ads = Metatypes.attributes(${trackerClass}Tracker.PID);
        assertEquals(List.of("ring.kb", "flags.mask"), List.copyOf(ads.keySet()), "ring_kb() is ring.kb");
        AD ring = ads.get("ring.kb");
        assertFalse(ring.validate("1").isEmpty(), "1 KiB is refused");
        assertFalse(ring.validate("lots").isEmpty(), "not a number");
        assertEquals("", ring.validate("256"));
        AD mask = ads.get("flags.mask");
        assertFalse(mask.validate("-1").isEmpty());
        assertEquals("", mask.validate("64"));
    }

}
