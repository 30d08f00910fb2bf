package dev.apiary.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.apache.felix.metatype.AD;
import org.junit.jupiter.api.Test;

class TrackerSettingsTest {

    private static AD ad(String id, String type, String min, String max) {
        AD ad = new AD();
        ad.setID(id);
        ad.setType(type);
        ad.setMin(min);
        ad.setMax(max);
        ad.setDefaultValue("64");
        return ad;
    }

    @Test
    void aValueInRangeIsAllowed() {
        assertNull(TrackerSettings.refusal(ad("ring_kb", "Integer", "64", "1048576"), "4096"));
        assertNull(TrackerSettings.refusal(ad("ring_kb", "Integer", "64", "1048576"), " 64 "));
    }

    @Test
    void aRefusalNamesTheKeyTheValueAndWhatIsAllowed() {
        AD ring = ad("ring_kb", "Integer", "64", "1048576");
        assertEquals("ring_kb=3 is not allowed: int from 64 to 1048576 expected", TrackerSettings.refusal(ring, "3"));
        assertEquals("ring_kb=lots is not allowed: int from 64 to 1048576 expected", TrackerSettings.refusal(ring, "lots"));
        assertEquals("ring_kb=99999999 is not allowed: int from 64 to 1048576 expected",
                TrackerSettings.refusal(ring, "99999999"));
    }

    @Test
    void optionsAndOpenEndedRangesAreSaid() {
        AD mode = new AD();
        mode.setID("mode");
        mode.setType("String");
        mode.setOptions(new java.util.LinkedHashMap<>(Map.of("tc", "tc")));
        assertEquals("one of tc", TrackerSettings.allowed(mode));
        assertEquals("mode=xdp is not allowed: string one of tc expected", TrackerSettings.refusal(mode, "xdp"));
        assertEquals("at least 1", TrackerSettings.allowed(ad("rate", "Long", "1", null)));
        assertEquals("", TrackerSettings.allowed(ad("name", "String", null, null)));
    }

    @Test
    void aBooleanTakesTrueOrFalse() {
        AD states = ad("state_changes", "Boolean", null, null);
        assertNull(TrackerSettings.refusal(states, "true"));
        assertEquals("boolean", TrackerSettings.typeName(states.getType()));
    }
}
