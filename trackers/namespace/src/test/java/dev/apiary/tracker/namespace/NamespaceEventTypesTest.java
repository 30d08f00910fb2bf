package dev.apiary.tracker.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.apiary.sdk.EventType;
import dev.apiary.sdk.testing.TestConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceEventTypesTest {

    @Test
    void declaresEveryRecordTypeOfTheBpfSideOnceWithItsRecordClassAndDocs() {
        List<EventType> declared = new NamespaceTracker(TestConfig.defaults(NamespaceTracker.Config.class)).events();
        assertEquals(NamespaceTracker.EVENT_TYPES, declared.stream().map(EventType::name).toList());
        for (EventType t : declared) {
            assertFalse(t.doc().isBlank(), t.name());
            assertFalse(t.fields().isEmpty(), t.name());
            t.fields().forEach(f -> assertFalse(f.doc().isBlank(), t.name() + "." + f.name() + " has no @FieldDoc"));
        }
    }
}
