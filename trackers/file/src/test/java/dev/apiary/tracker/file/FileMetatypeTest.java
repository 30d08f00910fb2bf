package dev.apiary.tracker.file;

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
 * The metatype bnd wrote from {@link FileTracker.Config}, read as core reads it
 * ({@code tracker:config}): designated to the PID, every setting with its default and what is
 * allowed, and the validator refuses the rest.
 */
class FileMetatypeTest {

    private static Map<String, AD> attributes() throws Exception {
        Path xml = Path.of("target/classes/OSGI-INF/metatype", FileTracker.PID + ".xml");
        MetaData data = new MetaDataReader().parse(xml.toUri().toURL());
        assertNotNull(data, xml + " has no metatype");
        @SuppressWarnings("unchecked")
        List<Designate> designates = data.getDesignates();
        assertEquals(1, designates.size());
        assertEquals(FileTracker.PID, designates.get(0).getPid());
        @SuppressWarnings("unchecked")
        Map<String, OCD> ocds = data.getObjectClassDefinitions();
        @SuppressWarnings("unchecked")
        Map<String, AD> ads = ocds.get(designates.get(0).getObject().getOcdRef()).getAttributeDefinitions();
        return ads;
    }

    @Test
    void everySettingHasItsDefaultAndWhatIsAllowed() throws Exception {
        Map<String, AD> ads = attributes();
        assertEquals(List.of("ring.kb", "files", "resolve.absolute"), List.copyOf(ads.keySet()));
        assertEquals("32768", ads.get("ring.kb").getDefaultValue()[0]);
        assertEquals("256", ads.get("ring.kb").getMin());
        assertEquals("1048576", ads.get("ring.kb").getMax());
        assertEquals("16384", ads.get("files").getDefaultValue()[0]);
        assertEquals("1024", ads.get("files").getMin());
        assertEquals("262144", ads.get("files").getMax());
        assertEquals("false", ads.get("resolve.absolute").getDefaultValue()[0]);
        ads.values().forEach(ad -> assertFalse(ad.getDescription().isBlank(), ad.getID()));
    }

    @Test
    void whatIsNotAllowedIsRefused() throws Exception {
        Map<String, AD> ads = attributes();
        assertFalse(ads.get("ring.kb").validate("1").isEmpty());
        assertFalse(ads.get("ring.kb").validate("lots").isEmpty());
        assertFalse(ads.get("ring.kb").validate("2097152").isEmpty());
        assertEquals("", ads.get("ring.kb").validate("32768"));
        assertFalse(ads.get("files").validate("10").isEmpty());
        assertEquals("", ads.get("files").validate("65536"));
        assertEquals("", ads.get("resolve.absolute").validate("true"));
        assertFalse(ads.get("resolve.absolute").validate("maybe").isEmpty());
    }
}
