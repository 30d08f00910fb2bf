package dev.apiary.example.ipc;

/** Linux signal numbers (x86-64) to their names; and what the kernel did with a generated signal. */
final class Signals {

    private static final String[] NAMES = {"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    /** enum trace_signal_result in include/trace/events/signal.h, in its order. */
    private static final String[] RESULTS = {"delivered", "ignored", "already_pending", "overflow", "lost_info"};

    private Signals() {
    }

    /** "SIGTERM" for 15; real-time signals as "SIGRTMIN+n"; anything else as "signal N". */
    static String name(int signal) {
        if (signal > 0 && signal < NAMES.length) {
            return NAMES[signal];
        }
        if (signal >= 34 && signal <= 64) {
            return "SIGRTMIN+" + (signal - 34);
        }
        return "signal " + signal;
    }

    /** "delivered", "ignored", ... for the signal_generate tracepoint's result; "result N" for others. */
    static String result(int result) {
        return result >= 0 && result < RESULTS.length ? RESULTS[result] : "result " + result;
    }

    /** How it was sent, from si_code: "kill", "tkill", "kernel", "sigqueue", ... */
    static String origin(int code) {
        return switch (code) {
            case 0 -> "kill";
            case 0x80 -> "kernel";
            case -1 -> "sigqueue";
            case -2 -> "timer";
            case -3 -> "mq_notify";
            case -4 -> "async_io";
            case -5 -> "sigio";
            case -6 -> "tkill";
            default -> code > 0 ? "kernel" : "code " + code; // positive codes: faults, SIGCHLD's CLD_*, ...
        };
    }
}
