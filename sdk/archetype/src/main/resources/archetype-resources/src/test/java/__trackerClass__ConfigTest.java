package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.nio.file.Files;
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
 * The settings as {@code tracker:config ${trackerName}} sees them: the metatype bnd wrote from
 * {@link ${trackerClass}Tracker.Config}, read and checked with Felix's reader as Apiary does. No
 * kernel needed.
 */
class ${trackerClass}ConfigTest {

    private static Map<String, AD> attributes() throws Exception {
        Path xml = Path.of("target/classes/OSGI-INF/metatype/" + ${trackerClass}Tracker.PID + ".xml");
        try (InputStream in = Files.newInputStream(xml)) {
            MetaData data = new MetaDataReader().parse(in);
            assertNotNull(data, xml + " declares nothing");
            assertEquals(${trackerClass}Tracker.PID, ((Designate) data.getDesignates().get(0)).getPid());
            OCD ocd = (OCD) data.getObjectClassDefinitions().values().iterator().next();
            @SuppressWarnings("unchecked")
            Map<String, AD> ads = ocd.getAttributeDefinitions();
            return ads;
        }
    }

    @Test
    void theSettingsHaveTheirKeysAndRefuseValuesOutOfRange() throws Exception {
        Map<String, AD> ads = attributes();
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
