package dev.apiary.sdk.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerWordTest {

    private static final ContainerRef WEB = ref("ab12" + "0".repeat(60), "web");
    private static final ContainerRef DB = ref("ab34" + "1".repeat(60), "db");
    private static final ContainerRef OLD = ref("cd56" + "2".repeat(60), "old");

    private static ContainerRef ref(String id, String name) {
        return new ContainerRef(id, name, "busybox:local", "docker", Map.of(), "", "");
    }

    private static final Containers CORE = new Containers() {
        @Override
        public List<Container> list() {
            return List.of(new Container(WEB, 10, 1, "", 0, 0, 0, true, null),
                    new Container(DB, 11, 2, "", 0, 0, 0, true, null),
                    new Container(OLD, 0, 3, "", 0, 0, 0, false, null));
        }

        @Override
        public Optional<Container> find(String nameOrId) {
            throw new AssertionError("the resolver decides by itself");
        }

        @Override
        public ContainerRef ofPid(int pid) {
            return ContainerRef.HOST;
        }

        @Override
        public ContainerRef ofCgroup(long cgroupId) {
            return ContainerRef.HOST;
        }
    };

    @Test
    void noWordMeansEveryContainer() {
        ContainerWord.Choice all = ContainerWord.choose(new String[0], CORE);
        assertTrue(all.isAll());
        assertTrue(all.includes(WEB) && all.includes(ContainerRef.HOST));
        assertSame(ContainerWord.Choice.ALL, ContainerWord.choose(null, CORE));
    }

    @Test
    void aNameAnIdAPrefixOrHostNamesOne() {
        assertEquals(WEB, ContainerWord.choose(new String[] {"web"}, CORE).only());
        assertEquals(WEB, ContainerWord.choose(new String[] {"/web"}, CORE).only());
        assertEquals(DB, ContainerWord.choose(new String[] {DB.id()}, CORE).only());
        assertEquals(DB, ContainerWord.choose(new String[] {"ab3"}, CORE).only());
        assertEquals(OLD, ContainerWord.choose(new String[] {"old"}, CORE).only(), "a stopped container still has its name");
        ContainerWord.Choice host = ContainerWord.choose(new String[] {"host"}, CORE);
        assertTrue(host.includes(ContainerRef.HOST) && !host.includes(WEB));
    }

    @Test
    void aContainerOnlyTheCommandHasSeenCounts() {
        ContainerRef brief = ContainerRef.unnamed("ef78" + "3".repeat(60), "docker");
        assertEquals(brief, ContainerWord.choose(new String[] {"ef7"}, CORE, List.of(brief)).only());
    }

    @Test
    void anAmbiguousPrefixListsTheMatches() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContainerWord.choose(new String[] {"ab"}, CORE));
        assertEquals("'ab' is the start of 2 containers' ids: web (ab1200000000), db (ab3411111111); "
                + "give more of the id or the name", e.getMessage());
    }

    @Test
    void anUnknownWordListsTheRunningContainers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContainerWord.choose(new String[] {"nginx\u001b[2J"}, CORE));
        assertEquals("no container named nginx\\x1b[2J; running: db, web (or 'host')", e.getMessage());
    }

    @Test
    void aCommandThatTakesSeveralGetsEachOnce() {
        ContainerWord.Choice some = ContainerWord.chooseSome(new String[] {"web", "ab3", "web"}, CORE, List.of());
        assertEquals(List.of(WEB, DB), some.chosen());
        assertTrue(some.includes(DB) && !some.includes(OLD));
        assertEquals("web, db", some.describe());
    }

    @Test
    void twoWordsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContainerWord.choose(new String[] {"web", "db"}, CORE));
        assertEquals("give one container (a name, an id prefix or 'host'), not 2: web db", e.getMessage());
    }

    @Test
    void aCommandThatActsOnAContainerRefusesTheHostAndDoesNotOfferIt() {
        assertSame(WEB, ContainerWord.container("web", CORE, List.of(), "the host has no limits of its own"));
        IllegalArgumentException host = assertThrows(IllegalArgumentException.class,
                () -> ContainerWord.container("host", CORE, List.of(), "the host has no limits of its own"));
        assertEquals("give a container: the host has no limits of its own", host.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ContainerWord.container("nginx", CORE, List.of(), "-"));
        assertEquals("no container named nginx; running: db, web", none.getMessage());
    }
}
