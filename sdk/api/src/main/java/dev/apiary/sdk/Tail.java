package dev.apiary.sdk;

import java.time.Duration;

/**
 * A subscription that the subscriber pulls from on its own thread, as a shell command's
 * live tail does: the dispatcher puts matching events straight into its bounded queue (a full
 * queue drops and counts them, as for any subscriber) and {@link #poll} takes them out; no
 * thread or second queue sits between. Get one from {@link Events#tail}. One thread polls.
 */
public interface Tail extends Subscription {

    /**
     * The next event, waiting up to {@code timeout} for one.
     *
     * @return the event, or null when none came in time or the tail is closed
     * @throws InterruptedException when the polling thread is interrupted (Ctrl-C in the shell)
     */
    Event poll(Duration timeout) throws InterruptedException;
}
