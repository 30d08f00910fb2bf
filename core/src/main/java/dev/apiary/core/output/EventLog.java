package dev.apiary.core.output;

import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventSubscriber;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes every event as one JSON line: what {@code bin/apiary --headless} prints.
 * Subscribed like any sink; a slow disk drops events and counts them, as for any subscriber.
 */
public final class EventLog implements EventSubscriber, AutoCloseable {

    /** Framework property: "-" for standard output, or a file path (appended to). */
    public static final String OUTPUT_PROPERTY = "apiary.output";

    private final Writer out;
    private final boolean ownsStream;

    private EventLog(Writer out, boolean ownsStream) {
        this.out = out;
        this.ownsStream = ownsStream;
    }

    public static EventLog open(String target) {
        if (target.equals("-")) {
            return new EventLog(new BufferedWriter(new OutputStreamWriter(new FileOutputStream(java.io.FileDescriptor.out),
                    StandardCharsets.UTF_8), 1 << 16), false);
        }
        try {
            return new EventLog(new BufferedWriter(new OutputStreamWriter(
                    new FileOutputStream(Path.of(target).toFile(), true), StandardCharsets.UTF_8), 1 << 16), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open event output " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void onEvent(Event event) {
        try {
            out.write(Json.line(EventView.of(event)));
            out.write('\n');
            // Flush every line: headless readers (tests, pipes into jq) expect events promptly,
            // and the queue in front of this subscriber absorbs bursts.
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int queueCapacity() {
        return 65_536;
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
