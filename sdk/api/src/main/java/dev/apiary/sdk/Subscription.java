package dev.apiary.sdk;

/** A subscriber's place in the dispatcher. Closing it stops delivery and ends its thread; closing twice does nothing. */
public interface Subscription extends AutoCloseable {

    String name();

    /** Events handed to the subscriber so far. */
    long delivered();

    /** Events dropped because its queue was full. */
    long dropped();

    /** Events waiting in its queue now. */
    int queued();

    @Override
    void close();
}
