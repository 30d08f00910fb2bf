package dev.apiary.core.tracker;

/** Where a tracker is in its life, as {@code tracker:list} shows it. */
public enum TrackerState {
    /** Its bundle is active and core is loading its BPF. */
    STARTING,
    /** Loaded, attached, dispatching. */
    RUNNING,
    /** Its start threw: the message says why (a verifier rejection, a missing tracepoint...). */
    FAILED,
    /** Its bundle is installed but not active. */
    STOPPED
}
