package dev.apiary.example.ipc;

/** What the kernel did with a generated signal, and how it was sent (names: {@link dev.apiary.sdk.Signals}). */
final class SignalOutcomes {

    /** enum trace_signal_result in include/trace/events/signal.h, in its order. */
    private static final String[] RESULTS = {"delivered", "ignored", "already_pending", "overflow", "lost_info"};

    private SignalOutcomes() {
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
