package dev.apiary.tracker.tcp;

import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * The tcp tracker: loads tcp.bpf.o, decodes its records into {@link TcpEvent}s and keeps a
 * {@link ConnectionTable} from them for {@code tcp:connections} and {@code tcp:listen}.
 * Registered as a {@link Tracker} for core and under its own class for {@link TcpCommands}.
 */
@Component(service = {Tracker.class, TcpTracker.class})
public final class TcpTracker implements Tracker {

    public static final String NAME = "tcp";
    static final String OBJECT = "bpf/tcp.bpf.o";

    /**
     * Ring size. A record is 176 bytes and a short connection makes about ten (connect,
     * accept, close on each side and the state changes between): 16 MiB holds some 9,000
     * connections' worth while the reader is starved of CPU by a connect storm.
     */
    static final int RING_BYTES = 16 << 20;

    /** Queue of the table's own subscription: the records of a burst must not be dropped. */
    static final int TABLE_QUEUE = 1 << 16;

    /** What exists while the tracker runs. */
    record Running(ConnectionTable table, LiveSockets sockets, Containers containers) {}

    private volatile Running running;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "TCP connects, accepts, listens, closes and state changes (IPv4, IPv6) by owning process; tcp:connections, tcp:listen";
    }

    @Override
    public List<EventType> events() {
        return EventType.of(TcpEvent.class,
                TcpEvent.CONNECT, "an outgoing connection established or refused",
                TcpEvent.ACCEPT, "an incoming connection accepted",
                TcpEvent.LISTEN, "a socket started listening",
                TcpEvent.CLOSE, "a connection closed, with its bytes and lifetime",
                TcpEvent.STATE, "a TCP state change");
    }

    /** Subscribes the table before attaching, so that no record of the first connections is missed. */
    @Override
    public void start(TrackerContext context) throws Exception {
        ConnectionTable table = new ConnectionTable();
        context.subscribe("tcp-connection-table", EventSubscriber.of(new EventFilter(NAME, null, null), TABLE_QUEUE, table::apply));
        TcpDecoder decoder = new TcpDecoder();
        context.load(OBJECT, o -> {
            decoder.verify(o.btf());
            o.map("apiary_events").setMaxEntries(RING_BYTES);
        }, decoder);
        Containers containers = context.containers();
        running = new Running(table, new LiveSockets(table, containers, Path.of("/proc")), containers);
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
