package dev.apiary.tracker.tcp;

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
 * The settings as {@code tracker:config tcp} sees them: the metatype bnd wrote from
 * {@link TcpTracker.Config}, read and validated with Felix's reader as core does. Their keys
 * are the methods' names with each underscore turned into a dot, as DS and the metatype
 * annotations map them: {@code ring_kb()} is {@code ring.kb}.
 */
class TcpConfigTest {

    private static Map<String, AD> attributes() throws Exception {
        Path xml = Path.of("target/classes/OSGI-INF/metatype/" + TcpTracker.PID + ".xml");
        try (InputStream in = Files.newInputStream(xml)) {
            MetaData data = new MetaDataReader().parse(in);
            assertNotNull(data, xml + " declares nothing");
            assertEquals(TcpTracker.PID, ((org.apache.felix.metatype.Designate) data.getDesignates().get(0)).getPid());
            OCD ocd = (OCD) data.getObjectClassDefinitions().values().iterator().next();
            @SuppressWarnings("unchecked")
            Map<String, AD> ads = ocd.getAttributeDefinitions();
            return ads;
        }
    }

    @Test
    void theMetatypeRefusesValuesOutOfRange() throws Exception {
        Map<String, AD> ads = attributes();
        assertEquals(java.util.List.of("ring.kb", "state.changes", "table.queue", "sockets", "listeners"),
                java.util.List.copyOf(ads.keySet()));
        AD ring = ads.get("ring.kb");
        assertEquals("256", ring.getMin());
        assertEquals("1048576", ring.getMax());
        assertFalse(ring.validate("1").isEmpty(), "1 KiB refused");
        assertFalse(ring.validate("2000000").isEmpty(), "2 GiB refused");
        assertFalse(ring.validate("lots").isEmpty(), "not a number");
        assertEquals("", ring.validate("16384"));
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

    @Test
    void theRingIsAPowerOfTwoOfAtLeastAPage() {
        assertEquals(16 << 20, TcpTracker.ringBytes(16384));
        assertEquals(512 * 1024, TcpTracker.ringBytes(300));
        assertEquals(4096, TcpTracker.ringBytes(1));
        assertEquals(1 << 30, TcpTracker.ringBytes(1048576));
    }
}
