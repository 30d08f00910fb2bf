package dev.apiary.tracker.tcp;

/** TCP socket states by the kernel's numbers (include/net/tcp_states.h), with the names /proc and ss use. */
final class TcpState {

    static final int ESTABLISHED = 1, SYN_SENT = 2, SYN_RECV = 3, TIME_WAIT = 6, CLOSE = 7, LISTEN = 10;

    private static final String[] NAMES = {"", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE"};

    private TcpState() {
    }

    /** "ESTABLISHED" for 1; "state N" for a number this table does not know. */
    static String name(int state) {
        return state > 0 && state < NAMES.length ? NAMES[state] : "state " + state;
    }
}
