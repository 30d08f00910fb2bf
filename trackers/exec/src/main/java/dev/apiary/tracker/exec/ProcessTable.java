package dev.apiary.tracker.exec;

import dev.apiary.sdk.Event;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processes that run now, by pid: seeded once from /proc, then kept current by exec and
 * exit events. Safe for concurrent use: events are applied on the subscriber's thread while
 * commands read snapshots.
 *
 * <p>Events may arrive before the seed (the tracker attaches first so that nothing between
 * the /proc scan and the attach is missed). An event always wins over the seed: a seeded
 * process never replaces what an exec reported, and a process whose exit was seen while the
 * table was not yet seeded is not brought back by a /proc read that happened before it died.
 */
public final class ProcessTable {

    private final Map<Integer, ProcessInfo> byPid = new ConcurrentHashMap<>();
    // Exits seen before the seed, by pid, with the process's start: only kept until seeded.
    private final Map<Integer, Long> exitedBeforeSeed = new ConcurrentHashMap<>();
    private volatile boolean seeded;

    /** Applies one of the exec tracker's events; other events are ignored. */
    public void apply(Event event) {
        switch (event) {
            case ExecEvent exec -> applyExec(exec);
            case ExitEvent exit -> applyExit(exit);
            default -> { }
        }
    }

    private void applyExec(ExecEvent exec) {
        var h = exec.header();
        if (exec.succeeded()) {
            byPid.put(h.pid(), new ProcessInfo(h.pid(), h.ppid(), h.uid(), exec.container(), h.comm(), exec.path(),
                    exec.args(), exec.argsCut(), exec.processStartNs()));
        } else {
            // A failed exec leaves the caller as it was; it tells us only that the process exists.
            byPid.putIfAbsent(h.pid(), new ProcessInfo(h.pid(), h.ppid(), h.uid(), exec.container(), h.comm(), "",
                    List.of(), false, exec.processStartNs()));
        }
    }

    private void applyExit(ExitEvent exit) {
        int pid = exit.header().pid();
        if (!seeded) {
            exitedBeforeSeed.put(pid, exit.processStartNs());
        }
        // Only the process that started then: the pid may already belong to a new one.
        byPid.computeIfPresent(pid, (p, known) -> sameStart(known.startNs(), exit.processStartNs()) ? null : known);
    }

    /**
     * Adds processes read from /proc, except those an event has already reported on. Call
     * it once; later calls add nothing new for pids the table knows.
     */
    public void seed(Collection<ProcessInfo> running) {
        for (ProcessInfo p : running) {
            Long exitedStart = exitedBeforeSeed.get(p.pid());
            if (exitedStart != null && sameStart(p.startNs(), exitedStart)) {
                continue;
            }
            byPid.putIfAbsent(p.pid(), p);
        }
        seeded = true;
        exitedBeforeSeed.clear();
    }

    /** Every known process, by pid. */
    public List<ProcessInfo> snapshot() {
        return byPid.values().stream().sorted(Comparator.comparingInt(ProcessInfo::pid)).toList();
    }

    public int size() {
        return byPid.size();
    }

    /**
     * Whether two start times are the same process's: /proc gives them in 10 ms ticks (cut
     * down, not rounded), events to the nanosecond.
     */
    private static boolean sameStart(long a, long b) {
        return Math.abs(a - b) < ProcScanner.NANOS_PER_TICK;
    }
}
