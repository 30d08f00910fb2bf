package dev.apiary.tracker.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.felix.metatype.AD;
import org.apache.felix.metatype.Designate;
import org.apache.felix.metatype.MetaData;
import org.apache.felix.metatype.MetaDataReader;
import org.apache.felix.metatype.OCD;
import org.junit.jupiter.api.Test;

/**
 * The metatype bnd wrote from {@link SyscallTracker.Config}, read as core reads it
 * ({@code tracker:config}): designated to the PID, every setting with its default and range,
 * and the validator refuses what is out of range.
 */
class SyscallMetatypeTest {

    private static Map<String, AD> attributes() throws Exception {
        Path xml = Path.of("target/classes/OSGI-INF/metatype", SyscallTracker.PID + ".xml");
        MetaData data = new MetaDataReader().parse(xml.toUri().toURL());
        assertNotNull(data, xml + " has no metatype");
        @SuppressWarnings("unchecked")
        List<Designate> designates = data.getDesignates();
        assertEquals(1, designates.size());
        assertEquals(SyscallTracker.PID, designates.get(0).getPid());
        @SuppressWarnings("unchecked")
        Map<String, OCD> ocds = data.getObjectClassDefinitions();
        @SuppressWarnings("unchecked")
        Map<String, AD> ads = ocds.get(designates.get(0).getObject().getOcdRef()).getAttributeDefinitions();
        return ads;
    }

    @Test
    void everySettingHasItsDefaultAndARange() throws Exception {
        Map<String, AD> ads = attributes();
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
        Map<String, AD> ads = attributes();
        assertFalse(ads.get("ring.kb").validate("1").isEmpty());
        assertEquals("", ads.get("ring.kb").validate("1024"));
        assertFalse(ads.get("ring.kb").validate("2097152").isEmpty());
        assertFalse(ads.get("ring.kb").validate("lots").isEmpty());
        assertFalse(ads.get("refresh.ms").validate("10").isEmpty());
        assertFalse(ads.get("slots").validate("0").isEmpty());
        assertFalse(ads.get("trace.rate").validate("0").isEmpty());
        assertEquals("", ads.get("trace.rate").validate("50"));
    }
}
