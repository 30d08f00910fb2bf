package dev.apiary.tracker.file;

import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One refresh of {@code file:top}: the files shown, most bytes moved since the previous
 * refresh first, each with what changed, as a table or as one JSON object.
 *
 * @param rows     the files shown, at most the command's --rows
 * @param matching how many files matched the filters
 * @param seconds  since the previous refresh; 0 for the first (no rates yet)
 */
record TopFrame(List<TopFrame.Row> rows, int matching, double seconds) {

    /** A file's entry and the bytes it moved since the previous refresh. */
    record Row(FileUsage usage, long readDelta, long writeDelta) {}

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    /**
     * @param previous the entries of the previous refresh, null for the first
     * @param seconds  since the previous refresh
     * @param limit    how many rows to keep
     */
    static TopFrame of(List<FileUsage> usage, Map<FileUsage.Key, FileUsage> previous, double seconds, int limit) {
        List<Row> rows = new ArrayList<>(usage.size());
        for (FileUsage u : usage) {
            FileUsage before = previous == null ? null : previous.get(u.key());
            // An entry the kernel evicted and made again counts from 0: never show a negative change.
            long r = before == null ? u.readBytes() : Math.max(0, u.readBytes() - before.readBytes());
            long w = before == null ? u.writeBytes() : Math.max(0, u.writeBytes() - before.writeBytes());
            rows.add(new Row(u, r, w));
        }
        rows.sort(Comparator.comparingLong((Row x) -> x.readDelta() + x.writeDelta()).reversed()
                .thenComparing(Comparator.comparingLong((Row x) -> x.usage().totalBytes()).reversed())
                .thenComparing(x -> x.usage().path()));
        return new TopFrame(rows.subList(0, Math.min(limit, rows.size())), rows.size(), previous == null ? 0 : seconds);
    }

    /** A heading line, then the table (or a line saying there is nothing); no final newline. */
    String text(Instant now) {
        StringBuilder sb = new StringBuilder();
        sb.append(CLOCK.format(now)).append("  ").append(matching).append(matching == 1 ? " file" : " files")
                .append(rows.size() < matching ? ", top " + rows.size() : "")
                .append(seconds == 0 ? "; bytes since the tracker started"
                        : String.format(Locale.ROOT, "; bytes in total and per second over the last %.1f s", seconds))
                .append('\n');
        if (rows.isEmpty()) {
            return sb.append("no file read or written").toString();
        }
        Table table = Table.of(Column.left("CONTAINER").width(16), Column.right("READ").min(10), Column.right("WRITE").min(10),
                Column.right("READ/S").min(10), Column.right("WRITE/S").min(10), Column.left("FILE"));
        for (Row r : rows) {
            FileUsage u = r.usage();
            table.row(u.container().displayName(), bytes(u.readBytes()), bytes(u.writeBytes()), rate(r.readDelta()),
                    rate(r.writeDelta()), (u.pathCut() ? "..." : "") + u.path());
        }
        sb.append(table);
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    /** {@code {"time","interval_s","matching","files":[...]}}, each file's container as every output shows one. */
    String json(Instant now) {
        List<Map<String, Object>> files = new ArrayList<>();
        for (Row r : rows) {
            FileUsage u = r.usage();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("container", EventJson.container(u.container()));
            m.put("path", u.path());
            m.put("path_cut", u.pathCut());
            m.put("dev", u.device());
            m.put("ino", u.ino());
            m.put("read_bytes", u.readBytes());
            m.put("write_bytes", u.writeBytes());
            m.put("reads", u.reads());
            m.put("writes", u.writes());
            m.put("read_bytes_per_s", seconds == 0 ? null : Math.round(r.readDelta() / seconds));
            m.put("write_bytes_per_s", seconds == 0 ? null : Math.round(r.writeDelta() / seconds));
            files.add(m);
        }
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("time", now.toString());
        frame.put("interval_s", seconds == 0 ? null : seconds);
        frame.put("matching", matching);
        frame.put("files", files);
        return Json.of(frame);
    }

    private String rate(long delta) {
        return seconds == 0 ? "-" : bytes(Math.round(delta / seconds));
    }

    /** 0 B, 512 B, 1.5 KiB, 3.2 MiB, 1.0 GiB. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
