package dev.apiary.sdk.command;

import dev.apiary.sdk.Event;
import dev.apiary.sdk.Tail;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Function;

/**
 * The loop of every live tail command: take events from a {@link Tail} on the command's own
 * thread and print one line each, until {@code count} lines, Ctrl-C (an interrupt) or the
 * reader going away. Printing stays on the command's thread because Gogo routes that
 * thread's {@code System.out} to the session's terminal or control-socket client. A tail
 * may also end after a given time.
 */
public final class TailPrinter {

    private static final Duration POLL = Duration.ofMillis(200);

    private TailPrinter() {
    }

    /**
     * Prints {@code line.apply(event)} for each event until done; events that {@code line}
     * maps to null are skipped and not counted. When the tail dropped events because the
     * terminal fell behind, says how many on {@code err} at the end.
     *
     * @param count how many lines to print, 0 for no limit
     * @return the number of lines printed
     * @throws InterruptedException on Ctrl-C; the tail is left for the caller to close
     */
    public static long print(Tail tail, long count, PrintStream out, PrintStream err,
            Function<? super Event, String> line) throws InterruptedException {
        return print(tail, count, null, out, err, line);
    }

    /**
     * {@link #print(Tail, long, PrintStream, PrintStream, Function)} for at most {@code limit}
     * (null for no limit): a capture that ends by itself ({@code xdp:capture --duration 10s}).
     */
    public static long print(Tail tail, long count, Duration limit, PrintStream out, PrintStream err,
            Function<? super Event, String> line) throws InterruptedException {
        long printed = 0;
        long deadline = limit == null ? 0 : System.nanoTime() + limit.toNanos();
        try {
            while (count == 0 || printed < count) {
                long left = limit == null ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Event e = tail.poll(left > POLL.toNanos() ? POLL : Duration.ofNanos(left));
                if (e == null) {
                    out.flush();
                    if (out.checkError()) {
                        return printed; // the reader went away
                    }
                    continue;
                }
                String text = line.apply(e);
                if (text != null) {
                    out.println(text);
                    printed++;
                }
            }
            return printed;
        } finally {
            out.flush();
            long dropped = tail.dropped();
            if (dropped > 0) {
                err.println(dropped + " events were not printed: the terminal could not keep up");
            }
        }
    }
}
