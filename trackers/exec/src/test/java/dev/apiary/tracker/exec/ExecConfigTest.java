package dev.apiary.tracker.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.felix.metatype.AD;
import org.apache.felix.metatype.MetaData;
import org.apache.felix.metatype.MetaDataReader;
import org.apache.felix.metatype.OCD;
import org.junit.jupiter.api.Test;

/**
 * The settings as {@code tracker:config exec} sees them: the metatype bnd wrote from
 * {@link ExecTracker.Config}, read and validated with Felix's reader as core does. Their keys
 * are the methods' names with each underscore turned into a dot, as DS and the metatype
 * annotations map them: {@code ring_kb()} is {@code ring.kb}.
 */
class ExecConfigTest {

    private static Map<String, AD> attributes() throws Exception {
        Path xml = Path.of("target/classes/OSGI-INF/metatype/" + ExecTracker.PID + ".xml");
        try (InputStream in = Files.newInputStream(xml)) {
            MetaData data = new MetaDataReader().parse(in);
            assertNotNull(data, xml + " declares nothing");
            assertEquals(ExecTracker.PID, ((org.apache.felix.metatype.Designate) data.getDesignates().get(0)).getPid());
            OCD ocd = (OCD) data.getObjectClassDefinitions().values().iterator().next();
            @SuppressWarnings("unchecked")
            Map<String, AD> ads = ocd.getAttributeDefinitions();
            return ads;
        }
    }

    @Test
    void theMetatypeRefusesValuesOutOfRange() throws Exception {
        Map<String, AD> ads = attributes();
        assertEquals(java.util.List.of("ring.kb", "table.queue"), java.util.List.copyOf(ads.keySet()));
        AD ring = ads.get("ring.kb");
        assertEquals("256", ring.getMin());
        assertEquals("1048576", ring.getMax());
        assertFalse(ring.validate("1").isEmpty(), "1 KiB refused");
        assertFalse(ring.validate("lots").isEmpty(), "not a number");
        assertEquals("", ring.validate("16384"));
        AD queue = ads.get("table.queue");
        assertFalse(queue.validate("10").isEmpty());
        assertFalse(queue.validate("2000000").isEmpty());
        assertEquals("", queue.validate("65536"));
    }

    @Test
    void theRingIsAPowerOfTwoOfAtLeastAPage() {
        assertEquals(16 << 20, ExecTracker.ringBytes(16384));
        assertEquals(512 * 1024, ExecTracker.ringBytes(300));
        assertEquals(256 * 1024, ExecTracker.ringBytes(256));
        assertEquals(4096, ExecTracker.ringBytes(1));
        assertEquals(1 << 30, ExecTracker.ringBytes(1048576));
    }
}
