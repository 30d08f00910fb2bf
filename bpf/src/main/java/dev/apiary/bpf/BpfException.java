package dev.apiary.bpf;

import java.util.Optional;

/**
 * A BPF operation failed. {@link #errno()} is the kernel's or libbpf's error number (0 when
 * the failure was found in Java, such as a wrong global's size); {@link #verifierLog()}
 * holds the verifier's log when the kernel refused to load a program.
 *
 * <p>Unchecked: a BPF failure is not something most callers can recover from on the spot,
 * and the message says what went wrong in terms a user can act on.
 */
public class BpfException extends RuntimeException {

    private final int errno;
    private final String verifierLog;

    public BpfException(String message) {
        this(message, 0, null);
    }

    public BpfException(String message, int errno) {
        this(message, errno, null);
    }

    public BpfException(String message, int errno, String verifierLog) {
        super(compose(message, errno, verifierLog));
        this.errno = Math.abs(errno);
        this.verifierLog = verifierLog == null || verifierLog.isBlank() ? null : verifierLog;
    }

    /** The positive errno, or 0 when none applies. */
    public int errno() {
        return errno;
    }

    /** The verifier's log of the program it rejected, when there was one. */
    public Optional<String> verifierLog() {
        return Optional.ofNullable(verifierLog);
    }

    private static String compose(String message, int errno, String verifierLog) {
        StringBuilder sb = new StringBuilder(message);
        if (errno != 0) {
            sb.append(": ").append(Native.describe(errno));
        }
        if (verifierLog != null && !verifierLog.isBlank()) {
            sb.append("\n-- verifier log --\n").append(verifierLog.strip()).append("\n-- end of verifier log --");
        }
        return sb.toString();
    }
}
