package dev.apiary.tracker.syscall;

import java.util.List;
import java.util.Set;

/**
 * The syscalls an interactive terminal session makes by itself, whatever command is typed:
 * the shell reading keys and echoing them (read, write and their vector forms), terminal
 * modes and window size (ioctl), waiting for input (poll, select and their variants, epoll
 * waits), and the signal handling a shell does around every prompt and child (rt_sig*,
 * sigaltstack). {@code syscall:top --quiet-terminal} hides them so that what a command does
 * (execve, openat, clone, ...) stands out. Note that the reads and writes of the command
 * itself are hidden too: {@code syscall:counts} shows everything.
 */
public final class TerminalNoise {

    /** Hidden by --quiet-terminal, by name. */
    public static final List<String> NAMES = List.of(
            "read", "write", "readv", "writev",
            "ioctl",
            "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2",
            "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "sigaltstack");

    private static final Set<String> SET = Set.copyOf(NAMES);

    private TerminalNoise() {
    }

    /** Whether a syscall name is terminal noise. */
    public static boolean isNoise(String name) {
        return SET.contains(name);
    }
}
