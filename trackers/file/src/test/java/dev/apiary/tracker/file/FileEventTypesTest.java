package dev.apiary.tracker.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.apiary.sdk.EventType;
import dev.apiary.sdk.testing.TestConfig;
import org.junit.jupiter.api.Test;

class FileEventTypesTest {

    @Test
    void declaresEachOperationOfTheBpfSideWithDocumentedFields() {
        var declared = new FileTracker(TestConfig.defaults(FileTracker.Config.class)).events();
        assertEquals(FileEvent.OPERATIONS.subList(1, FileEvent.OPERATIONS.size()),
                declared.stream().map(EventType::name).toList());
        declared.forEach(t -> t.fields().forEach(f -> assertFalse(f.doc().isBlank(), f.name() + " has no @FieldDoc")));
    }
}
