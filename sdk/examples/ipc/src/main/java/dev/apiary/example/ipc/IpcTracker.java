package dev.apiary.example.ipc;

import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * The ipc tracker: loads ipc.bpf.o from this bundle through the SDK's {@link TrackerContext},
 * decodes its records, keeps the last {@value #HISTORY} of them for the commands, and reads
 * the kernel's transfer counters on demand. Registered as a {@link Tracker} for core and
 * under its own class for {@link IpcCommands}.
 */
@Component(service = {Tracker.class, IpcTracker.class})
public final class IpcTracker implements Tracker {

    public static final String NAME = "ipc";
    static final String OBJECT = "bpf/ipc.bpf.o";

    /** Events kept for ipc:signals and ipc:events. */
    static final int HISTORY = 4096;

    /** Ring size: records are 96 to 224 bytes, 1 MiB holds some 5,000 of a burst of kills or pipelines. */
    static final int RING_BYTES = 1 << 20;

    /** What exists while the tracker runs. */
    record Running(History history, Flows flows, Containers containers) {}

    private volatile Running running;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "IPC in containers: signals, pipes and FIFOs (writer -> reader bytes), Unix socket connects/accepts, message queues (example built on the SDK)";
    }

    @Override
    public List<EventType> events() {
        return List.of(
                new EventType(SignalEvent.TYPE, SignalEvent.class, "a signal sent to a process (kill, tkill, or by the kernel)"),
                new EventType(PipeEvent.TYPE, PipeEvent.class, "a pipe created (pipe, pipe2), with its inode and both fds"),
                new EventType(IoEvent.TYPE, IoEvent.class,
                        "a process's first read or write on a pipe, FIFO or queue, per direction (totals in ipc:pipes)"),
                new EventType(UnixEvent.TYPE, UnixEvent.class, "a Unix socket connect or accept, with its path and peer"),
                new EventType(QueueEvent.TYPE, QueueEvent.class, "a System V or POSIX message queue opened"));
    }

    @Override
    public void start(TrackerContext context) {
        History history = new History(HISTORY);
        context.subscribe("ipc-history", EventSubscriber.of(new EventFilter(NAME, null, null), HISTORY, history::add));
        Containers containers = context.containers();
        IpcDecoder decoder = new IpcDecoder(containers::ofCgroup);
        BpfObject obj = context.load(OBJECT, o -> {
            decoder.verify(o.btf());
            o.map("apiary_events").setMaxEntries(RING_BYTES);
        }, decoder);
        running = new Running(history, new Flows(obj.map("ipc_flows")), containers);
    }

    @Override
    public void stop() {
        running = null;
    }

    /** The history, counters and containers while the tracker runs; empty when it is stopped. */
    Optional<Running> running() {
        return Optional.ofNullable(running);
    }
}
