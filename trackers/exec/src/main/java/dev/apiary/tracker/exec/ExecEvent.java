package dev.apiary.tracker.exec;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Errno;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;
import java.util.List;

/**
 * One exec, successful or failed, reported once. The header's pid, ppid, uid and comm are
 * those of the process after a successful exec (comm is the new program's name) and of the
 * caller after a failed one.
 *
 * @param path           for a successful exec the absolute path of the binary the kernel
 *                       loaded, as seen in the process's mount namespace (for a script, its
 *                       interpreter); for a failed one the filename as the caller passed it
 * @param args           the argument list as the caller passed it, argv[0] first; at most
 *                       {@link ExecDecoder#MAX_ARGS} strings and {@link ExecDecoder#ARGS_LEN} bytes
 * @param argsCut        whether the argument list was longer than what is kept
 * @param ret            0 for a successful exec, else the negative errno it failed with
 * @param pathCut        whether the path was longer than {@link ExecDecoder#PATH_LEN} bytes
 *                       (then its leading part is missing for a successful exec, its end for a failed one)
 * @param argsUnseen     whether the exec's start was not seen (the tracker attached during
 *                       it): {@code args} is then empty
 * @param processStartNs when the process was forked, CLOCK_BOOTTIME nanoseconds (an exec
 *                       keeps the process, and so its start)
 */
public record ExecEvent(EventHeader header, ContainerRef container,
        @FieldDoc("the binary that runs (resolved) or, when the exec failed, the filename as passed") String path,
        @FieldDoc("the argument list as passed, argv[0] first (at most 20 strings, 2 KiB)") List<String> args,
        @FieldDoc("whether the argument list was cut") boolean argsCut,
        @FieldDoc("0 when the exec succeeded, else its negative errno") int ret,
        @FieldDoc("whether the path was cut") boolean pathCut,
        @FieldDoc("whether the exec began before the tracker attached, so its arguments are unknown") boolean argsUnseen,
        @FieldDoc("when the process was forked, CLOCK_BOOTTIME ns") long processStartNs) implements Event {

    public static final String TYPE = "exec";

    public ExecEvent {
        args = List.copyOf(args);
    }

    public boolean succeeded() {
        return ret == 0;
    }

    /** The errno's name for a failed exec ("ENOENT"), "" for a successful one. */
    public String errorName() {
        return succeeded() ? "" : Errno.name(-ret);
    }

    /** The command line as a shell would show it, with "..." when the list was cut. */
    public String commandLine() {
        return CommandLines.of(args, argsCut, path, header.comm());
    }
}
