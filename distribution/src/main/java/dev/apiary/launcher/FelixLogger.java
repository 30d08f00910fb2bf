package dev.apiary.launcher;

import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.apache.felix.framework.Logger;

/**
 * The framework's own log, on stderr in the format of slf4j-simple's lines. Felix's default
 * logger prints to stdout, where a headless runtime writes its JSON events. Looks up
 * {@link System#err} on every line, so {@code --log FILE} (which replaces it) takes effect.
 * Thread-safe.
 */
final class FelixLogger extends Logger {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    @Override
    protected void doLog(int level, String msg, Throwable throwable) {
        String name = switch (level) {
            case LOG_ERROR -> "ERROR";
            case LOG_WARNING -> "WARN";
            case LOG_INFO -> "INFO";
            case LOG_DEBUG -> "DEBUG";
            default -> "LEVEL" + level;
        };
        PrintStream err = System.err;
        synchronized (err) {
            err.println(TIME.format(LocalDateTime.now()) + " " + name + " org.apache.felix.framework - " + msg);
            if (throwable != null && level <= LOG_WARNING) {
                throwable.printStackTrace(err);
            }
        }
    }
}
