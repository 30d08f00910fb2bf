package dev.apiary.tracker.xdp;

/**
 * A capture in progress ({@link Sampling#start}); closing it turns sampling off. It may be
 * closed from any thread; closing it again does nothing.
 */
interface Capture extends AutoCloseable {

    /** Turns sampling off; no checked exception. */
    @Override
    void close();
}
