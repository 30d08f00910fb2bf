package dev.apiary.core.tracker;

import dev.apiary.core.dispatch.RingSource;
import dev.apiary.sdk.Tracker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.osgi.framework.Bundle;

/**
 * One tracker as core runs it: its service, its bundle, its state and what it opened. State
 * changes happen on core's tracker thread; readers on any thread see a consistent snapshot
 * through the accessors.
 */
public final class TrackerHandle {

    private final Tracker tracker;
    private final String name;
    private final Bundle bundle;
    private volatile TrackerState state = TrackerState.STARTING;
    private volatile String error = "";
    private volatile Instant since = Instant.now();
    private volatile Duration startTime = Duration.ZERO;
    private volatile BundleTrackerContext context;
    private volatile TrackerResources resources;

    TrackerHandle(Tracker tracker, String name, Bundle bundle) {
        this.tracker = tracker;
        this.name = name;
        this.bundle = bundle;
    }

    public String name() {
        return name;
    }

    /** Its line for tracker:list; "" when the tracker's own method throws. */
    public String description() {
        try {
            return tracker.description();
        } catch (RuntimeException | LinkageError e) {
            return "";
        }
    }

    public List<String> eventTypes() {
        try {
            return tracker.eventTypes();
        } catch (RuntimeException | LinkageError e) {
            return List.of();
        }
    }

    public Bundle bundle() {
        return bundle;
    }

    public TrackerState state() {
        return state;
    }

    /** Why it failed, or "". */
    public String error() {
        return error;
    }

    /** When it entered its state. */
    public Instant since() {
        return since;
    }

    /** How long loading and attaching took. */
    public Duration startTime() {
        return startTime;
    }

    /** Its rings in the dispatcher. */
    public List<RingSource> sources() {
        BundleTrackerContext c = context;
        return c == null ? List.of() : c.sources();
    }

    /** The BPF objects it has loaded and open (empty unless running). */
    public List<dev.apiary.bpf.BpfObject> objects() {
        BundleTrackerContext c = context;
        return c == null ? List.of() : c.objects();
    }

    /** The declared event types, with their record classes and fields. */
    public List<dev.apiary.sdk.EventType> events() {
        try {
            return tracker.events();
        } catch (RuntimeException | LinkageError e) {
            return List.of();
        }
    }

    Tracker tracker() {
        return tracker;
    }

    void starting(BundleTrackerContext context, TrackerResources resources) {
        this.context = context;
        this.resources = resources;
        set(TrackerState.STARTING, "");
    }

    void running(Duration took) {
        this.startTime = took;
        set(TrackerState.RUNNING, "");
    }

    void failed(String why) {
        set(TrackerState.FAILED, why);
    }

    BundleTrackerContext contextForStart() {
        return context;
    }

    TrackerResources resources() {
        return resources;
    }

    private void set(TrackerState newState, String why) {
        this.error = why;
        this.since = Instant.now();
        this.state = newState;
    }
}
