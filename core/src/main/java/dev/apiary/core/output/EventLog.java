package dev.apiary.core.output;

import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.EventSubscriber;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes every event as one JSON line ({@link EventJson}): what {@code bin/apiary --headless}
 * prints. Subscribed like any sink; when it falls behind, events are dropped and counted, as
 * for any subscriber. Lines are buffered and flushed each time its queue runs empty, so a
 * burst costs a few writes and a quiet moment leaves nothing unwritten. A line is encoded to
 * UTF-8 as a whole (two copies at memory speed for ASCII) into a byte buffer: a
 * {@code Writer} would copy it to a String, widen that to chars and encode those again.
 */
public final class EventLog implements EventSubscriber, AutoCloseable {

    /** Framework property: "-" for standard output, or a file path (appended to). */
    public static final String OUTPUT_PROPERTY = "apiary.output";

    private final OutputStream out;
    private final boolean ownsStream;
    private final StringBuilder line = new StringBuilder(1024);

    private EventLog(OutputStream out, boolean ownsStream) {
        this.out = out;
        this.ownsStream = ownsStream;
    }

    /**
     * @param target "-" for standard output (left open on {@link #close}), or a file appended to
     * @throws UncheckedIOException when the file cannot be opened
     */
    public static EventLog open(String target) {
        if (target.equals("-")) {
            return new EventLog(buffered(new FileOutputStream(FileDescriptor.out)), false);
        }
        try {
            return new EventLog(buffered(new FileOutputStream(Path.of(target).toFile(), true)), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open event output " + target + ": " + e.getMessage(), e);
        }
    }

    private static OutputStream buffered(FileOutputStream out) {
        return new BufferedOutputStream(out, 1 << 16);
    }

    @Override
    public synchronized void onEvent(Event event) {
        line.setLength(0);
        EventJson.write(event, line);
        line.append('\n');
        try {
            out.write(line.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void onQueueEmpty() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Room for a whole burst: a 50,000-exec storm is 100,000 events (exec and exit) in two
     * seconds, and a freshly started JVM writes them at a third of its warm speed while the
     * storm holds both CPUs. The queue's array is 1 MiB; events take room only while queued.
     */
    @Override
    public int queueCapacity() {
        return 1 << 18;
    }

    @Override
    public synchronized void close() {
        try {
            out.flush();
            if (ownsStream) {
                out.close();
            }
        } catch (IOException e) {
            // nothing more to write to
        }
    }
}
