package dev.apiary.tracker.file;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How {@code file:events} prints one event as text: a line of {@link #TABLE} (its JSON is {@code EventJson}'s). */
final class EventLine {

    /** The columns of the tail: print {@code header()} once, then {@link #text} per event. */
    static final Table TABLE = Table.of(Column.left("TIME").width(12), Column.left("CONTAINER").width(16),
            Column.right("PID").min(7), Column.left("COMM").width(16), Column.left("OP").min(6), Column.left("KINDS").min(18),
            Column.left("RESULT").min(7), Column.left("FLAGS").min(26), Column.left("PATH"));

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private EventLine() {
    }

    static String text(FileEvent e) {
        String result = e.succeeded() ? String.valueOf(e.ret()) : e.error();
        String flags = e.flags() + (e.mode().isEmpty() ? "" : (e.flags().isEmpty() ? "" : " ") + e.mode())
                + (e.newUid() != -1 || e.newGid() != -1 ? " " + e.newUid() + ":" + e.newGid() : "");
        String path = shown(e.path(), e.resolvedPath());
        if (!e.newPath().isEmpty()) {
            path += " -> " + shown(e.newPath(), e.resolvedNewPath());
        }
        return TABLE.line(CLOCK.format(BootClock.toInstant(e.header().tsNanos())), e.container().displayName(),
                e.header().pid(), e.header().comm(), e.type(), String.join(",", e.kinds()), result, flags.strip(), path);
    }

    /** The resolved path when known, else the path as passed. */
    private static String shown(String given, String resolved) {
        return resolved.isEmpty() ? given : resolved;
    }
}
