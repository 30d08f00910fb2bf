package dev.apiary.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.ContainerRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WatchScopeTest {

    private static final ContainerRef WEB = new ContainerRef("a".repeat(64), "web", "nginx", "docker",
            Map.of("app", "shop", "io.kubernetes.pod.name", "web-1"), "web-1", "default");
    private static final ContainerRef DB = new ContainerRef("b".repeat(64), "db", "postgres", "docker",
            Map.of("app", "billing"), "", "");

    @Test
    void modes() {
        assertEquals(WatchScope.ALL, WatchScope.parse("all"));
        assertEquals(WatchScope.CONTAINERS, WatchScope.parse(" Containers "));
        assertTrue(WatchScope.ALL.watches(ContainerRef.HOST));
        assertFalse(WatchScope.CONTAINERS.watches(ContainerRef.HOST));
        assertTrue(WatchScope.CONTAINERS.watches(WEB));
    }

    @Test
    void selectors() {
        WatchScope scope = WatchScope.parse("name=web, label=app=billing,label=io.kubernetes.pod.name");
        assertEquals(WatchScope.Mode.SELECTED, scope.mode());
        assertEquals(List.of(new WatchScope.NameSelector("web"), new WatchScope.LabelSelector("app", "billing"),
                new WatchScope.LabelSelector("io.kubernetes.pod.name", null)), scope.selectors());
        assertTrue(scope.watches(WEB));
        assertTrue(scope.watches(DB));
        assertFalse(scope.watches(ContainerRef.HOST));
        assertEquals("name=web,label=app=billing,label=io.kubernetes.pod.name", scope.toString());
        assertEquals(scope, WatchScope.parse(scope.toString()));
    }

    @Test
    void labelValuesMayHoldEqualsSigns() {
        WatchScope scope = WatchScope.parse("label=expr=a=b");
        assertEquals(List.of(new WatchScope.LabelSelector("expr", "a=b")), scope.selectors());
    }

    @Test
    void namesMatchIdsAndPrefixes() {
        assertTrue(WatchScope.parse("name=" + "b".repeat(12)).watches(DB));
        assertFalse(WatchScope.parse("name=ab").watches(DB));
        assertFalse(WatchScope.parse("label=app=shop").watches(DB));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "everything", "name=", "label=", "label==x", "name=web,,name=db", "image=nginx"})
    void rejectsWithTheAcceptedForms(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WatchScope.parse(text));
        assertTrue(e.getMessage().contains("expected 'all', 'containers'"), e.getMessage());
    }
}
