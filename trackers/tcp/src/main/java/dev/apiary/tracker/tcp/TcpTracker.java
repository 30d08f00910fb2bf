package dev.apiary.tracker.tcp;

import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.TrackerName;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The tcp tracker: loads tcp.bpf.o, decodes its records into {@link TcpEvent}s and keeps a
 * {@link ConnectionTable} from them for {@code tcp:connections} and {@code tcp:listen}. State
 * changes other than connect, accept, listen and close are sent only with {@link Config#state_changes}.
 * Registered as a {@link Tracker} for core and under its own class for {@link TcpCommands}.
 */
@Component(service = {Tracker.class, TcpTracker.class}, configurationPid = TcpTracker.PID)
@Designate(ocd = TcpTracker.Config.class)
public final class TcpTracker implements Tracker {

    /** Its name, as its pom's {@code <apiary.tracker>} declares it (the bundle's Apiary-Tracker header). */
    public static final String NAME = TrackerName.of(TcpTracker.class);

    /** Its configuration PID, also conf/<PID>.cfg: the bundle's symbolic name. */
    public static final String PID = "dev.apiary.tracker.tcp";

    static final String OBJECT = "bpf/tcp.bpf.o";

    /** The read-only global of tcp.bpf.o that {@link Config#state_changes} sets. */
    static final String STATE_CHANGES = "tcp_state_changes";

    /** Its settings ({@code tracker:config tcp}); a change restarts the tracker. */
    @ObjectClassDefinition(id = TcpTracker.PID, name = "tcp tracker",
            description = "TCP connects, accepts, listens, closes, state changes; tcp:connections and tcp:listen")
    public @interface Config {

        /*
         * The default ring: a record is 176 bytes and a short connection makes four (connect,
         * accept and a close on each side; more with state_changes). Through 10,000 loopback
         * cycles the most that waited was 107 KB; 4 MiB, some 24,000 records, covers a reader
         * starved of CPU by a connect storm for well over half a second.
         */
        @AttributeDefinition(description = RingSize.DESCRIPTION,
                min = RingSize.MIN_KIB, max = RingSize.MAX_KIB)
        int ring_kb() default 4096;

        @AttributeDefinition(description = "Also send a 'state' record for every other TCP state change "
                + "(SYN_RECV, FIN_WAIT1, ...); connect, accept, listen and close are always sent")
        boolean state_changes() default false;

        @AttributeDefinition(description = "Events that may wait for the connection table of tcp:connections "
                + "before they are dropped (the table may then miss owners)", min = "1024", max = "1048576")
        int table_queue() default 65536;

        @AttributeDefinition(description = "Sockets whose owning process the kernel side remembers (tcp_owners, "
                + "LRU): beyond it the longest unused lose their attribution and send no more records",
                min = "1024", max = "1048576")
        int sockets() default 65536;

        @AttributeDefinition(description = "Listening sockets the kernel side remembers (tcp_listeners, LRU): "
                + "the owners of the connections they accept", min = "128", max = "1048576")
        int listeners() default 8192;
    }

    /** What exists while the tracker runs. */
    record Running(ConnectionTable table, LiveSockets sockets, Containers containers) {}

    private final Config config;
    private volatile Running running;

    @Activate
    public TcpTracker(Config config) {
        this.config = config;
    }

    @Override
    public String description() {
        return "TCP connects, accepts, listens, closes and, with state.changes=true, state changes (IPv4, IPv6) by owning process;"
                + " tcp:connections, tcp:listen";
    }

    @Override
    public List<EventType> events() {
        return EventType.of(TcpEvent.class,
                TcpEvent.CONNECT, "an outgoing connection established or refused",
                TcpEvent.ACCEPT, "an incoming connection accepted",
                TcpEvent.LISTEN, "a socket started listening",
                TcpEvent.CLOSE, "a connection closed, with its bytes and lifetime",
                TcpEvent.STATE, "any other TCP state change (only with the setting state.changes=true)");
    }

    /** Subscribes the table before attaching, so that no record of the first connections is missed. */
    @Override
    public void start(TrackerContext context) throws Exception {
        ConnectionTable table = new ConnectionTable();
        context.subscribe("tcp-connection-table",
                EventSubscriber.of(new EventFilter(NAME, null, null), config.table_queue(), table::apply));
        context.load(OBJECT, this::configure, new TcpDecoder());
        Containers containers = context.containers();
        running = new Running(table, new LiveSockets(table, containers, Path.of("/proc")), containers);
    }

    /** Between open and load: applies the settings. */
    void configure(BpfObject o) {
        o.map("apiary_events").setMaxEntries(RingSize.bytes(config.ring_kb()));
        o.map("tcp_owners").setMaxEntries(config.sockets());
        o.map("tcp_listeners").setMaxEntries(config.listeners());
        o.globals().set(STATE_CHANGES, config.state_changes());
    }

    @Override
    public void stop() {
        running = null;
    }

    /** The table while the tracker runs; empty when it is stopped. */
    Optional<Running> running() {
        return Optional.ofNullable(running);
    }
}
