package dev.apiary.core.dispatch;

import dev.apiary.bpf.RingBuffer;
import dev.apiary.sdk.EventDecoder;

/**
 * One tracker's ring buffer in the dispatcher, with its decoder and counters. The counters
 * are written by the dispatcher thread and readable from any thread.
 */
public final class RingSource {

    private final String tracker;
    private final RingBuffer ring;
    private final EventDecoder decoder;
    final Counter events = new Counter();
    final Counter decodeErrors = new Counter();
    final Counter queueDrops = new Counter();
    volatile String lastDecodeError = "";
    /** The most bytes the dispatcher found waiting when it came to drain; its thread writes it. */
    volatile long peakBacklog;

    RingSource(String tracker, RingBuffer ring, EventDecoder decoder) {
        this.tracker = tracker;
        this.ring = ring;
        this.decoder = decoder;
    }

    public String tracker() {
        return tracker;
    }

    RingBuffer ring() {
        return ring;
    }

    EventDecoder decoder() {
        return decoder;
    }

    /** Events decoded and handed to subscribers. */
    public Counter events() {
        return events;
    }

    /** Records the decoder rejected. */
    public Counter decodeErrors() {
        return decodeErrors;
    }

    /** Events of this tracker that a subscriber's full queue dropped (one per subscriber that missed it). */
    public Counter queueDrops() {
        return queueDrops;
    }

    /** The message of the latest decode error, or "". */
    public String lastDecodeError() {
        return lastDecodeError;
    }

    /** Records the kernel side could not write because the ring was full. */
    public long kernelLost() {
        try {
            return ring.lostCount();
        } catch (RuntimeException e) {
            return 0; // the object is being closed
        }
    }

    /**
     * The most bytes that waited in the ring when the dispatcher came to read it, since the
     * tracker started: how close a storm came to filling it ({@link #ringBytes()}), which is
     * what a {@code ring.kb} setting is chosen by.
     */
    public long peakBacklogBytes() {
        return peakBacklog;
    }

    /** Bytes waiting in the ring now. */
    public long backlogBytes() {
        try {
            return ring.available();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    public long ringBytes() {
        return ring.size();
    }
}
