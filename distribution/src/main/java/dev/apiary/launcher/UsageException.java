package dev.apiary.launcher;

/** A command line {@code bin/apiary} does not accept; the message says what is wrong and how to fix it. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
