package dev.apiary.sdk.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.apiary.sdk.command.Table.Column;
import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void columnsAreAsWideAsTheirWidestCellAndNumbersAlignRight() {
        Table t = Table.of(Column.left("NAME"), Column.right("PID"), Column.left("COMMAND"));
        t.row("web", 7, "sh -c x").row("database", 12345, "postgres");
        assertEquals("""
                NAME        PID  COMMAND
                web           7  sh -c x
                database  12345  postgres
                """, t.toString());
    }

    @Test
    void aBoundedColumnCutsWithAnEllipsisAndTheLastColumnIsNotPadded() {
        Table t = Table.of(Column.left("CONTAINER").max(10), Column.left("PATH"));
        t.row("a-very-long-container-name", "/x").row("db", "");
        assertEquals("""
                CONTAINER   PATH
                a-very-lo…  /x
                db
                """, t.toString());
    }

    @Test
    void cellsAreEscapedBeforeTheyAreMeasured() {
        Table t = Table.of("COMM", "ARGS");
        t.row("\u001b]0;pwned\u0007", "a\nb");
        assertEquals("""
                COMM              ARGS
                \\x1b]0;pwned\\x07  a\\nb
                """, t.toString());
    }

    @Test
    void aTailPrintsFixedWidthLinesUnderItsHeader() {
        Table t = Table.of(Column.left("TIME").width(8), Column.right("PID").min(6), Column.left("COMM").width(5), Column.left("DETAILS"));
        assertEquals("TIME         PID  COMM   DETAILS\n", t.header());
        assertEquals("12:00:00       1  shell  x=1", t.line("12:00:00", 1, "shell", "x=1"));
        assertEquals("12:00:01  123456  bash…  ", t.line("12:00:01", 123456, "bash-5.2", "").concat("  "));
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsRefused() {
        Table t = Table.of("A", "B");
        assertThrows(IllegalArgumentException.class, () -> t.row("only one"));
    }
}
