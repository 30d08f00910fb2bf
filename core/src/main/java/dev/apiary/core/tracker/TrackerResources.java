package dev.apiary.core.tracker;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one tracker opened through its context, closed in reverse order of opening. Safe for
 * concurrent use; once closed, anything added is closed at once.
 */
final class TrackerResources implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrackerResources.class);

    private final String tracker;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private boolean closed;

    TrackerResources(String tracker) {
        this.tracker = tracker;
    }

    void add(AutoCloseable resource) {
        synchronized (this) {
            if (!closed) {
                opened.push(resource);
                return;
            }
        }
        closeQuietly(resource);
    }

    @Override
    public void close() {
        Deque<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayDeque<>(opened);
            opened.clear();
        }
        for (AutoCloseable resource : toClose) {
            closeQuietly(resource);
        }
    }

    private void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception | Error e) {
            LOG.warn("tracker {}: closing {} failed", tracker, resource, e);
        }
    }
}
