package dev.apiary.launcher;

/**
 * A subscription made by {@link Apiary#subscribe}. Events reach its consumer on a thread of
 * the subscription's own, in the order the runtime dispatched them; when the consumer falls
 * more than {@link Apiary#SUBSCRIPTION_QUEUE} events behind, newer ones are dropped and
 * counted. Safe for concurrent use; {@link #close()} is idempotent.
 */
public interface EventSubscription extends AutoCloseable {

    /** Events handed to the consumer. */
    long delivered();

    /** Events dropped because the consumer was behind. */
    long dropped();

    /** Stops the deliveries; the consumer is not called after it returns (but for a call in progress). */
    @Override
    void close();
}
