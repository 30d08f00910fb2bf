package dev.apiary.sdk;

/** Subscribing to events without registering a service, as an OSGi service. Safe for concurrent use. */
public interface Events {

    /**
     * Queues every matching event for {@code subscriber} until the subscription is closed.
     *
     * @param name what {@code apiary:stats} calls this subscriber
     */
    Subscription subscribe(String name, EventSubscriber subscriber);
}
