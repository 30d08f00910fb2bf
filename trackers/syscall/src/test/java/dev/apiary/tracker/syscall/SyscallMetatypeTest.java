package dev.apiary.tracker.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.apiary.sdk.testing.Metatypes;
import java.util.Map;
import org.apache.felix.metatype.AD;
import org.junit.jupiter.api.Test;

/**
 * The metatype bnd wrote from {@link SyscallTracker.Config}, read as core reads it
 * ({@code tracker:config}): designated to the PID, every setting with its default and range,
 * and the validator refuses what is out of range.
 */
class SyscallMetatypeTest {

    @Test
    void everySettingHasItsDefaultAndARange() throws Exception {
        Map<String, AD> ads = Metatypes.attributes(SyscallTracker.PID);
        Map<String, String> defaults = Map.of("ring.kb", "1024", "refresh.ms", "1000", "reclaim.after.s", "60",
                "slots", "1024", "top.idle.s", "10", "trace.rate", "1000", "trace.burst", "100");
        assertEquals(defaults.keySet(), ads.keySet());
        defaults.forEach((key, value) -> {
            AD ad = ads.get(key);
            assertEquals(value, ad.getDefaultValue()[0], key);
            assertNotNull(ad.getMin(), key + " has no min");
            assertNotNull(ad.getMax(), key + " has no max");
            assertFalse(ad.getDescription().isBlank(), key);
            assertEquals("", ad.validate(value), key + "'s default is refused");
        });
    }

    @Test
    void outOfRangeValuesAreRefused() throws Exception {
        Map<String, AD> ads = Metatypes.attributes(SyscallTracker.PID);
        Metatypes.assertRingKb(ads, 1024);
        assertFalse(ads.get("refresh.ms").validate("10").isEmpty());
        assertFalse(ads.get("slots").validate("0").isEmpty());
        assertFalse(ads.get("trace.rate").validate("0").isEmpty());
        assertEquals("", ads.get("trace.rate").validate("50"));
    }
}
