package dev.apiary.example.ipc;

import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.TrackerName;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The ipc tracker: loads ipc.bpf.o from this bundle through the SDK's {@link TrackerContext},
 * decodes its records, keeps the last {@code history} (4096 by default) of them for the
 * commands, and reads the kernel's transfer counters on demand. Registered as a
 * {@link Tracker} for core and under its own class for {@link IpcCommands}. Its settings
 * ({@link Config}) come from Configuration Admin under {@value #PID}.
 */
@Component(service = {Tracker.class, IpcTracker.class}, configurationPid = IpcTracker.PID)
@Designate(ocd = IpcTracker.Config.class)
public final class IpcTracker implements Tracker {

    /** Its name, as its pom's {@code <apiary.tracker>} declares it (the bundle's Apiary-Tracker header). */
    public static final String NAME = TrackerName.of(IpcTracker.class);

    /** Its configuration PID, also conf/&lt;PID&gt;.cfg: the bundle's symbolic name. */
    public static final String PID = "dev.apiary.example.ipc";

    static final String OBJECT = "bpf/ipc.bpf.o";

    /**
     * Its settings ({@code tracker:config ipc}); a change re-creates the component and core
     * restarts the tracker. The keys are dotted ({@code ring.kb}): DS and bnd's metatype turn
     * a method name's underscore into a dot.
     */
    @ObjectClassDefinition(id = IpcTracker.PID, name = "ipc tracker",
            description = "Signals, pipes and FIFOs, Unix socket connections and message queues in containers (example)")
    public @interface Config {

        // Records are 96 to 224 bytes: 1 MiB holds some 5,000 of a burst of kills or pipelines.
        @AttributeDefinition(description = RingSize.DESCRIPTION,
                min = RingSize.MIN_KIB, max = RingSize.MAX_KIB)
        int ring_kb() default 1024;

        @AttributeDefinition(description = "Events kept for ipc:signals and ipc:events, the oldest going first",
                min = "16", max = "1048576")
        int history() default 4096;

        @AttributeDefinition(description = "Transfer counters the kernel keeps at once for ipc:pipes and ipc:queues, "
                + "one per channel, process and direction; the least recently used go first", min = "1024", max = "1048576")
        int flows() default 16384;
    }

    /**
     * What exists while the tracker runs.
     *
     * @param flows reads the kernel's transfer counters now (a {@link Flows#snapshot})
     */
    record Running(History history, Supplier<List<Flow>> flows, Containers containers) {}

    private final Config config;
    private volatile Running running;

    @Activate
    public IpcTracker(Config config) {
        this.config = config;
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
        History history = new History(config.history());
        context.subscribe("ipc-history", EventSubscriber.of(new EventFilter(NAME, null, null), config.history(), history::add));
        Containers containers = context.containers();
        BpfObject obj = context.load(OBJECT, this::configure, new IpcDecoder(containers::ofCgroup));
        running = new Running(history, new Flows(obj.map("ipc_flows"))::snapshot, containers);
    }

    /** Sizes the ring and the transfer counters from the settings; before load. */
    void configure(BpfObject o) {
        o.map("apiary_events").setMaxEntries(RingSize.bytes(config.ring_kb()));
        o.map("ipc_flows").setMaxEntries(config.flows());
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
