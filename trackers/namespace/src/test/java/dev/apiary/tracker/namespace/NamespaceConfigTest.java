package dev.apiary.tracker.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.apiary.sdk.testing.Metatypes;
import java.util.Map;
import org.apache.felix.metatype.AD;
import org.junit.jupiter.api.Test;

/**
 * The settings as {@code tracker:config namespace} sees them: the metatype bnd wrote from
 * {@link NamespaceTracker.Config}, read and validated with Felix's reader as core does. Their keys
 * are the methods' names with each underscore turned into a dot, as DS and the metatype
 * annotations map them: {@code ring_kb()} is {@code ring.kb}.
 */
class NamespaceConfigTest {

    @Test
    void theMetatypeRefusesValuesOutOfRange() throws Exception {
        Map<String, AD> ads = Metatypes.attributes(NamespaceTracker.PID);
        assertEquals(java.util.List.of("ring.kb", "follow.runtimes"), java.util.List.copyOf(ads.keySet()));
        Metatypes.assertRingKb(ads, 1024);
        AD follow = ads.get("follow.runtimes");
        assertEquals(org.osgi.service.metatype.AttributeDefinition.BOOLEAN, follow.getType());
        assertEquals(java.util.List.of("true"), java.util.List.of(follow.getDefaultValue()));
        assertEquals("", follow.validate("false"));
        assertFalse(follow.validate("maybe").isEmpty(), "not a boolean");
    }
}
