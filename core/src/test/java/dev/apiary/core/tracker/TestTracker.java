package dev.apiary.core.tracker;

import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;

/** A tracker whose start does what the test says; it counts its starts and stops. */
final class TestTracker implements Tracker {

    interface Start {
        void run(TrackerContext context) throws Exception;
    }

    private final String name;
    private final Start start;
    Runnable onStop = () -> {
    };
    int starts;
    int stops;
    TrackerContext context;

    TestTracker(String name, Start start) {
        this.name = name;
        this.start = start;
    }

    /** One that subscribes to events as {@code events}: a resource its context must close. */
    static TestTracker subscribing(String name) {
        return new TestTracker(name, context -> context.subscribe("events", e -> {
        }));
    }

    @Override
    public String name() {
        if (name == null) {
            throw new IllegalStateException("no name");
        }
        return name;
    }

    @Override
    public String description() {
        return "a test tracker";
    }

    @Override
    public void start(TrackerContext context) throws Exception {
        starts++;
        this.context = context;
        start.run(context);
    }

    @Override
    public void stop() {
        stops++;
        onStop.run();
    }
}
