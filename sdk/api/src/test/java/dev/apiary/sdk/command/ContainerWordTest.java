package dev.apiary.sdk.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.testing.TestContainers;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerWordTest {

    private static final ContainerRef WEB = TestContainers.docker("ab12", "web", "busybox:local");
    private static final ContainerRef DB = TestContainers.docker("ab34" + "1".repeat(60), "db", "busybox:local");
    private static final ContainerRef OLD = TestContainers.docker("cd56" + "2".repeat(60), "old", "busybox:local");

    /** Core's containers, listed as core lists them (db, web, then the stopped old); never asked to find one. */
    private static final Containers CORE = TestContainers.running(WEB, DB).add(OLD, false).onFind(word -> {
        throw new AssertionError("the resolver decides by itself");
    });

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
        assertEquals("'ab' is the start of 2 containers' ids: db (ab3411111111), web (ab1200000000); "
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
