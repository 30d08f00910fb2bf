package dev.apiary.core.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class LongTableTest {

    @Test
    void putsReplacesAndRemoves() {
        LongTable<String> t = LongTable.empty();
        for (long k = 1; k <= 1000; k++) {
            t = t.with(k * 4096, "v" + k);
        }
        assertEquals(1000, t.size());
        for (long k = 1; k <= 1000; k++) {
            assertEquals("v" + k, t.get(k * 4096));
        }
        assertNull(t.get(3));
        LongTable<String> replaced = t.with(4096, "new");
        assertEquals(1000, replaced.size());
        assertEquals("new", replaced.get(4096));
        assertEquals("v1", t.get(4096)); // the old table is unchanged: readers keep a consistent view
        LongTable<String> odd = t.without(k -> (k / 4096) % 2 == 0);
        assertEquals(500, odd.size());
        assertNull(odd.get(2 * 4096));
        assertEquals("v3", odd.get(3 * 4096));
        assertSame(odd, odd.without(k -> false));
    }
}
