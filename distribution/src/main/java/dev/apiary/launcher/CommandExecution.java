package dev.apiary.launcher;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One Gogo command line run in a session of its own, printing as the interactive shell does:
 * the command's output, then its returned value formatted (unless {@code .Gogo.format} is
 * false); if it throws, its message on the error stream.
 *
 * <p>{@link #run} is called once, by one thread; {@link #cancel} may be called from any
 * thread, before, during or after it. The streams are the caller's: they are flushed, never closed.
 */
public final class CommandExecution {

    /** Exit status: the command completed. */
    public static final int OK = 0;
    /** Exit status: the command threw; its message went to the error stream. */
    public static final int FAILED = 1;
    /** Exit status: the command was cancelled (its client went away), as a shell reports SIGINT. */
    public static final int CANCELLED = 130;

    private final GogoProcessor processor;
    private final OutputStream out;
    private final OutputStream err;
    private final Object lock = new Object();
    private GogoProcessor.Session session;
    private Thread runner;
    private boolean cancelled;

    CommandExecution(GogoProcessor processor, OutputStream out, OutputStream err) {
        this.processor = processor;
        this.out = out;
        this.err = err;
    }

    /** Runs the command line; returns {@link #OK}, {@link #FAILED} or {@link #CANCELLED}. */
    public int run(String commandLine) {
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        GogoProcessor.Session opened;
        try {
            // The command gets an empty stdin: neither the socket nor -c forward the terminal.
            opened = processor.open(new ByteArrayInputStream(new byte[0]), out, err);
        } catch (Exception e) {
            stderr.println("cannot open a Gogo session: " + messageOf(e));
            return FAILED;
        }
        synchronized (lock) {
            session = opened;
            runner = Thread.currentThread();
            if (cancelled) {
                closeQuietly(opened);
                return CANCELLED;
            }
        }
        try {
            Object result = opened.execute(commandLine);
            if (result != null && opened.printsResults()) {
                stdout.println(opened.format(result));
            }
            return OK;
        } catch (Exception e) {
            if (isCancelled()) {
                return CANCELLED;
            }
            stderr.println(messageOf(e));
            return FAILED;
        } finally {
            synchronized (lock) {
                runner = null;
            }
            Thread.interrupted(); // a late cancel must not leak into the caller's thread
            stdout.flush();
            stderr.flush();
            closeQuietly(opened);
        }
    }

    /** Interrupts the command (its foreground job and the thread waiting for it). Idempotent. */
    public void cancel() {
        GogoProcessor.Session current;
        Thread waiting;
        synchronized (lock) {
            cancelled = true;
            current = session;
            waiting = runner;
        }
        if (current != null) {
            try {
                current.interruptForegroundJob();
            } catch (Exception e) {
                // the session may be closing: the thread interrupt below still ends the wait
            }
        }
        if (waiting != null) {
            waiting.interrupt();
        }
    }

    public boolean isCancelled() {
        synchronized (lock) {
            return cancelled;
        }
    }

    /** The message a user should see for a failed command: Gogo's messages say it all ("Command not found: ..."). */
    static String messageOf(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.toString() : message;
    }

    private static void closeQuietly(GogoProcessor.Session session) {
        try {
            session.close();
        } catch (Exception e) {
            // closing a session only stops its executor; nothing to report
        }
    }
}
