package dev.apiary.tracker.syscall;

import dev.apiary.bpf.BpfLink;
import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.Bytes;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Subscription;
import dev.apiary.sdk.TrackerContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The per-event stream of one cgroup: sets syscall.bpf.c's trace target and rate, attaches
 * its exit program for the time of the trace, and subscribes the caller to the events. One
 * trace at a time (the kernel side has one target); thread-safe (synchronised).
 */
public final class SyscallTrace implements SyscallTracker.Tracing {

    private final BpfObject obj;
    private final TrackerContext context;
    private Session current;

    SyscallTrace(BpfObject obj, TrackerContext context) {
        this.obj = obj;
        this.context = context;
    }

    /**
     * Starts tracing a cgroup.
     *
     * @param rate  events per second per CPU, at least 1
     * @param burst events a CPU may send at once after a quiet time, at least 1
     * @return the running trace; close it to stop
     * @throws IllegalStateException when another trace runs
     */
    @Override
    public synchronized AutoCloseable start(long cgroupId, long rate, long burst, String who, EventSubscriber subscriber) {
        if (current != null) {
            throw new IllegalStateException("a trace of " + current.who + " runs already (one at a time)");
        }
        BpfLink exit = obj.program("syscall_exit").attach();
        Subscription sub;
        try {
            sub = context.subscribe("syscall-trace", subscriber);
        } catch (RuntimeException e) {
            exit.close();
            throw e;
        }
        setTarget(cgroupId, rate, burst);
        Session s = new Session(who, exit, sub);
        current = s;
        return () -> end(s);
    }

    /** Ends the running trace, if any. */
    synchronized void stop() {
        if (current != null) {
            end(current);
        }
    }

    private synchronized void end(Session s) {
        if (current != s) {
            return;
        }
        current = null;
        try {
            setTarget(0, 0, 0);
            s.exit.close();
            BpfMap pending = obj.map("trace_pending");
            for (byte[] key : pending.keys()) {
                pending.delete(key);
            }
        } finally {
            s.sub.close();
        }
    }

    private void setTarget(long cgroupId, long rate, long burst) {
        byte[] value = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder()).putLong(cgroupId).putLong(rate).putLong(burst).array();
        obj.map("syscall_trace_target").update(Bytes.u32(0), value);
    }

    private record Session(String who, BpfLink exit, Subscription sub) {}
}
