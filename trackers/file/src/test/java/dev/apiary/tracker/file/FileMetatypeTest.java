package dev.apiary.tracker.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.apiary.sdk.testing.Metatypes;
import java.util.List;
import java.util.Map;
import org.apache.felix.metatype.AD;
import org.junit.jupiter.api.Test;

/**
 * The metatype bnd wrote from {@link FileTracker.Config}, read as core reads it
 * ({@code tracker:config}): designated to the PID, every setting with its default and what is
 * allowed, and the validator refuses the rest.
 */
class FileMetatypeTest {

    @Test
    void everySettingHasItsDefaultAndWhatIsAllowed() throws Exception {
        Map<String, AD> ads = Metatypes.attributes(FileTracker.PID);
        assertEquals(List.of("ring.kb", "files", "resolve.absolute"), List.copyOf(ads.keySet()));
        Metatypes.assertRingKb(ads, 8192);
        assertEquals("16384", ads.get("files").getDefaultValue()[0]);
        assertEquals("1024", ads.get("files").getMin());
        assertEquals("262144", ads.get("files").getMax());
        assertEquals("false", ads.get("resolve.absolute").getDefaultValue()[0]);
        ads.values().forEach(ad -> assertFalse(ad.getDescription().isBlank(), ad.getID()));
    }

    @Test
    void whatIsNotAllowedIsRefused() throws Exception {
        Map<String, AD> ads = Metatypes.attributes(FileTracker.PID);
        assertFalse(ads.get("files").validate("10").isEmpty());
        assertEquals("", ads.get("files").validate("65536"));
        assertEquals("", ads.get("resolve.absolute").validate("true"));
        assertFalse(ads.get("resolve.absolute").validate("maybe").isEmpty());
    }
}
