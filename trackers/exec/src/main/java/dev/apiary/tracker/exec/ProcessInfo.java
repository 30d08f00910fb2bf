package dev.apiary.tracker.exec;

import dev.apiary.sdk.ContainerRef;
import java.util.List;
import java.util.Objects;

/**
 * One running process as the process table knows it.
 *
 * @param pid       process id as the host sees it
 * @param ppid      its parent's pid
 * @param uid       real user id
 * @param container the container it runs in
 * @param comm      the kernel's command name (up to 15 characters)
 * @param path      the binary it runs, or "" when unknown
 * @param args      its argument list, argv[0] first; empty when unknown
 * @param argsCut   whether args is only the beginning of the list
 * @param startNs   when it was forked, CLOCK_BOOTTIME nanoseconds (10 ms resolution when read from /proc)
 */
public record ProcessInfo(int pid, int ppid, int uid, ContainerRef container, String comm, String path,
        List<String> args, boolean argsCut, long startNs) {

    public ProcessInfo {
        Objects.requireNonNull(container, "container");
        comm = Objects.requireNonNullElse(comm, "");
        path = Objects.requireNonNullElse(path, "");
        args = List.copyOf(args);
    }

    /** The command line as ps shows it. */
    public String commandLine() {
        return CommandLines.of(args, argsCut, path, comm);
    }
}
