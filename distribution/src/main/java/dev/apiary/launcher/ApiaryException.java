package dev.apiary.launcher;

/** Apiary could not start, or could not do what was asked; the message says why. */
public class ApiaryException extends Exception {
    public ApiaryException(String message) {
        super(message);
    }

    public ApiaryException(String message, Throwable cause) {
        super(message, cause);
    }
}
