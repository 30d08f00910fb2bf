package dev.apiary.maven.bpf;

/** A missing tool or kernel feature; the message is one line that says what to install. */
final class ToolchainException extends Exception {
    ToolchainException(String message) {
        super(message);
    }
}
