package dev.apiary.tracker.exec;

import java.util.List;

/** How a process's command is shown to a person: what ps would print. */
final class CommandLines {

    private CommandLines() {
    }

    /**
     * The arguments joined by spaces, with " ..." when the list was cut; without arguments
     * the path; without either the command name in brackets, as ps shows kernel threads.
     */
    static String of(List<String> args, boolean cut, String path, String comm) {
        if (!args.isEmpty()) {
            String line = String.join(" ", args);
            return cut ? line + " ..." : line;
        }
        if (path != null && !path.isEmpty()) {
            return path;
        }
        return "[" + comm + "]";
    }
}
