package dev.apiary.tracker.namespace;

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
 * The settings as {@code tracker:config namespace} sees them: the metatype bnd wrote from
 * {@link NamespaceTracker.Config}, read and validated with Felix's reader as core does. Their keys
 * are the methods' names with each underscore turned into a dot, as DS and the metatype
 * annotations map them: {@code ring_kb()} is {@code ring.kb}.
 */
class NamespaceConfigTest {

    private static Map<String, AD> attributes() throws Exception {
        Path xml = Path.of("target/classes/OSGI-INF/metatype/" + NamespaceTracker.PID + ".xml");
        try (InputStream in = Files.newInputStream(xml)) {
            MetaData data = new MetaDataReader().parse(in);
            assertNotNull(data, xml + " declares nothing");
            assertEquals(NamespaceTracker.PID, ((org.apache.felix.metatype.Designate) data.getDesignates().get(0)).getPid());
            OCD ocd = (OCD) data.getObjectClassDefinitions().values().iterator().next();
            @SuppressWarnings("unchecked")
            Map<String, AD> ads = ocd.getAttributeDefinitions();
            return ads;
        }
    }

    @Test
    void theMetatypeRefusesValuesOutOfRange() throws Exception {
        Map<String, AD> ads = attributes();
        assertEquals(java.util.List.of("ring.kb", "follow.runtimes"), java.util.List.copyOf(ads.keySet()));
        AD ring = ads.get("ring.kb");
        assertEquals("256", ring.getMin());
        assertEquals("1048576", ring.getMax());
        assertFalse(ring.validate("1").isEmpty(), "1 KiB refused");
        assertFalse(ring.validate("2000000").isEmpty(), "2 GiB refused");
        assertFalse(ring.validate("lots").isEmpty(), "not a number");
        assertEquals("", ring.validate("4096"));
        assertEquals(java.util.List.of("4096"), java.util.List.of(ring.getDefaultValue()));
        AD follow = ads.get("follow.runtimes");
        assertEquals(org.osgi.service.metatype.AttributeDefinition.BOOLEAN, follow.getType());
        assertEquals(java.util.List.of("true"), java.util.List.of(follow.getDefaultValue()));
        assertEquals("", follow.validate("false"));
        assertFalse(follow.validate("maybe").isEmpty(), "not a boolean");
    }

    @Test
    void theRingIsAPowerOfTwoOfAtLeastAPage() {
        assertEquals(4 << 20, NamespaceTracker.ringBytes(4096));
        assertEquals(512 * 1024, NamespaceTracker.ringBytes(300));
        assertEquals(4096, NamespaceTracker.ringBytes(1));
        assertEquals(1 << 30, NamespaceTracker.ringBytes(1048576));
    }
}
