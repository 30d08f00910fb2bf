package dev.apiary.tracker.exec;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;
import dev.apiary.sdk.Signals;
import java.time.Duration;

/**
 * A process ended: its last thread exited. Reported once per process, not per thread. The
 * header is that of the last thread (its tid and comm may be a thread's, not the process's).
 *
 * @param exitCode       the code it passed to exit (0–255), or -1 when a signal killed it
 * @param signal         the signal that killed it, or 0 when it exited by itself
 * @param coreDumped     whether the signal dumped core
 * @param lifetimeNs     nanoseconds from its fork to the exit of its last thread
 * @param processStartNs when it was forked, CLOCK_BOOTTIME nanoseconds
 */
public record ExitEvent(EventHeader header, ContainerRef container,
        @FieldDoc("the code it passed to exit (0-255), or -1 when a signal killed it") int exitCode,
        @FieldDoc("the signal that killed it, or 0") int signal,
        @FieldDoc("whether the killing signal dumped core") boolean coreDumped,
        @FieldDoc("nanoseconds from fork to the exit of its last thread") long lifetimeNs,
        @FieldDoc("when the process was forked, CLOCK_BOOTTIME ns") long processStartNs) implements Event {

    public static final String TYPE = "exit";

    /** The event for a wait status as wait(2) gives it: exit code in bits 8-15, else signal in bits 0-6 and core flag 0x80. */
    public static ExitEvent fromWaitStatus(EventHeader header, ContainerRef container, int status, long lifetimeNs,
            long processStartNs) {
        int signal = status & 0x7f;
        boolean killed = signal != 0;
        return new ExitEvent(header, container, killed ? -1 : (status >> 8) & 0xff, signal,
                killed && (status & 0x80) != 0, lifetimeNs, processStartNs);
    }

    public Duration lifetime() {
        return Duration.ofNanos(lifetimeNs);
    }

    /** "SIGKILL" for a process killed by signal 9, "" when it exited by itself. */
    public String signalName() {
        return signal == 0 ? "" : Signals.name(signal);
    }
}
