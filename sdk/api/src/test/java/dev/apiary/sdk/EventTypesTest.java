package dev.apiary.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.testing.TestEvents;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTypesTest {

    public record Knock(EventHeader header, ContainerRef container, @FieldDoc("how hard") int strength) implements Event {}

    public record Door(EventHeader header, ContainerRef container, @FieldDoc("open or shut") String type) implements Event {}

    public record Silent(EventHeader header, ContainerRef container) implements Event {}

    public record Unbound(EventHeader header, ContainerRef container) implements Event {}

    public record Taken(EventHeader header, ContainerRef container) implements Event {}

    private static final EventHeader HEADER = TestEvents.header(1, "sh", 1);

    @Test
    void aRecordTakesItsTrackerAndItsOneTypeFromTheDeclaration() {
        EventTypes.bind("door", List.of(new EventType("knock", Knock.class, "someone knocked")));
        Knock knock = new Knock(HEADER, ContainerRef.HOST, 3);
        assertEquals("door", knock.tracker());
        assertEquals("knock", knock.type());
        assertTrue(EventTypes.isBound(Knock.class));
        assertTrue(EventJson.of(knock).contains("\"tracker\":\"door\",\"type\":\"knock\""), EventJson.of(knock));
        // A restart binds the same declaration again.
        EventTypes.bind("door", List.of(new EventType("knock", Knock.class, "someone knocked")));
    }

    @Test
    void aRecordOfSeveralTypesSaysWhichItselfAndOneThatDoesNotIsRefused() {
        EventTypes.bind("door", EventType.of(Door.class, "open", "opened", "shut", "shut"));
        assertEquals("shut", new Door(HEADER, ContainerRef.HOST, "shut").type());
        assertEquals("door", new Door(HEADER, ContainerRef.HOST, "open").tracker());

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> EventTypes.bind("quiet", EventType.of(Silent.class, "a", "", "b", "")));
        assertTrue(refused.getMessage().contains("must say which"), refused.getMessage());
        assertFalse(EventTypes.isBound(Silent.class), "nothing is bound when the declaration is refused");
    }

    @Test
    void anUndeclaredEventSaysSoAndAClassBelongsToOneTracker() {
        IllegalStateException undeclared = assertThrows(IllegalStateException.class,
                () -> new Unbound(HEADER, ContainerRef.HOST).tracker());
        assertTrue(undeclared.getMessage().contains("Unbound is not declared"), undeclared.getMessage());

        EventTypes.bind("first", List.of(new EventType("x", Taken.class, "")));
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> EventTypes.bind("second", List.of(new EventType("x", Taken.class, ""))));
        assertTrue(taken.getMessage().contains("already declared by tracker first"), taken.getMessage());
        assertEquals("first", new Taken(HEADER, ContainerRef.HOST).tracker());
    }
}
