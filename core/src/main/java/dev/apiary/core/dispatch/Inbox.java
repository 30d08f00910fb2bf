package dev.apiary.core.dispatch;

import dev.apiary.sdk.Event;
import dev.apiary.sdk.Subscription;

/** Where the dispatcher thread puts a subscriber's events: a queue it only ever offers to. */
sealed interface Inbox extends Subscription permits SubscriberQueue, TailQueue {

    /**
     * From the dispatcher thread: queues the event if it matches.
     *
     * @return false when it matched but the queue was full (it is counted as dropped)
     */
    boolean offer(Event event);
}
