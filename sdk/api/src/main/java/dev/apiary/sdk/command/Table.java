package dev.apiary.sdk.command;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows in aligned columns, as the shell prints them. Every cell goes through
 * {@link Text#safe(Object)} and is cut to its column's {@link Column#max} with an ellipsis.
 *
 * <p>Two uses: collect {@link #row rows} and print {@link #toString()} (each column as wide
 * as its widest cell, within its bounds), or, for a live tail where later rows are not known
 * yet, print {@link #header()} once and then {@link #line} per row (each column exactly its
 * {@link Column#min} wide, longer cells still cut at {@code max}). The last column is never
 * padded. Not thread-safe.
 */
public final class Table {

    /**
     * One column.
     *
     * @param header its title
     * @param right  whether cells are right-aligned (numbers)
     * @param min    the narrowest it gets; a tail's {@link #line} uses exactly this width
     * @param max    the widest it gets, 0 for no limit: longer cells are cut
     */
    public record Column(String header, boolean right, int min, int max) {

        public Column {
            min = Math.max(min, 0);
            max = Math.max(max, 0);
            if (max > 0 && min > max) {
                throw new IllegalArgumentException("column " + header + ": min " + min + " > max " + max);
            }
        }

        /** A left-aligned column as wide as its cells. */
        public static Column left(String header) {
            return new Column(header, false, header.length(), 0);
        }

        /** A right-aligned column as wide as its cells. */
        public static Column right(String header) {
            return new Column(header, true, header.length(), 0);
        }

        /** This column cut at {@code max} characters. */
        public Column max(int max) {
            return new Column(header, right, Math.min(min, max), max);
        }

        /** This column exactly {@code width} characters wide. */
        public Column width(int width) {
            return new Column(header, right, width, width);
        }

        /** This column at least {@code min} characters wide (what a tail's lines use). */
        public Column min(int min) {
            return new Column(header, right, min, max == 0 ? 0 : Math.max(max, min));
        }
    }

    private final List<Column> columns;
    private final List<String[]> rows = new ArrayList<>();

    private Table(List<Column> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a table needs a column");
        }
        this.columns = List.copyOf(columns);
    }

    public static Table of(Column... columns) {
        return new Table(List.of(columns));
    }

    /** Left-aligned columns with these headers and no width limits. */
    public static Table of(String... headers) {
        List<Column> columns = new ArrayList<>();
        for (String h : headers) {
            columns.add(Column.left(h));
        }
        return new Table(columns);
    }

    /**
     * Adds a row, one cell per column.
     *
     * @throws IllegalArgumentException when the number of cells differs from the columns'
     */
    public Table row(Object... cells) {
        rows.add(cells(cells));
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public int size() {
        return rows.size();
    }

    /** The header line of a tail, with a newline. */
    public String header() {
        String[] titles = new String[columns.size()];
        for (int i = 0; i < titles.length; i++) {
            titles[i] = columns.get(i).header();
        }
        StringBuilder sb = new StringBuilder();
        append(sb, titles, fixedWidths());
        return sb.toString();
    }

    /** One row of a tail at the columns' fixed widths, without a newline. */
    public String line(Object... cells) {
        StringBuilder sb = new StringBuilder();
        append(sb, cells(cells), fixedWidths());
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    /** The header and every row, each column as wide as its widest cell within its bounds. */
    @Override
    public String toString() {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            Column c = columns.get(i);
            int w = Math.max(c.min(), c.header().length());
            for (String[] r : rows) {
                w = Math.max(w, r[i].length());
            }
            widths[i] = c.max() > 0 ? Math.min(w, Math.max(c.max(), c.header().length())) : w;
        }
        String[] titles = new String[columns.size()];
        for (int i = 0; i < titles.length; i++) {
            titles[i] = columns.get(i).header();
        }
        StringBuilder sb = new StringBuilder();
        append(sb, titles, widths);
        for (String[] r : rows) {
            append(sb, r, widths);
        }
        return sb.toString();
    }

    private int[] fixedWidths() {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = Math.max(columns.get(i).min(), columns.get(i).header().length());
        }
        return widths;
    }

    private String[] cells(Object[] cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells for " + columns.size() + " columns");
        }
        String[] out = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            out[i] = Text.truncate(Text.safe(cells[i]), columns.get(i).max());
        }
        return out;
    }

    private void append(StringBuilder sb, String[] cells, int[] widths) {
        int start = sb.length();
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i];
            boolean last = i == cells.length - 1;
            int pad = Math.max(widths[i] - cell.length(), 0);
            if (columns.get(i).right()) {
                sb.repeat(' ', pad).append(cell);
            } else {
                sb.append(cell);
                if (!last) {
                    sb.repeat(' ', pad);
                }
            }
            if (!last) {
                sb.append("  ");
            }
        }
        int end = sb.length();
        while (end > start && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }
}
