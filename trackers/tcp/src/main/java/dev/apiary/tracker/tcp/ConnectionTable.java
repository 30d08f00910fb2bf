package dev.apiary.tracker.tcp;

import dev.apiary.sdk.Event;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TCP sockets of watched processes that are open now, by the tracker's connection id,
 * kept from the tracker's events: a socket enters with its first record (a connect attempt,
 * a passive handshake, listen, accept), follows its state changes (when the
 * tracker sends them: state.changes) and leaves at close; a
 * failed connect leaves at once. Safe for concurrent use: events are applied on the
 * subscription's thread while commands take snapshots.
 */
public final class ConnectionTable {

    private final Map<Long, Connection> byId = new ConcurrentHashMap<>();

    /** Applies one of the tcp tracker's events; other events are ignored. */
    public void apply(Event event) {
        if (!(event instanceof TcpEvent e)) {
            return;
        }
        switch (e.type()) {
            case TcpEvent.CLOSE -> byId.remove(e.connectionId());
            case TcpEvent.CONNECT -> {
                if (e.failed()) {
                    byId.remove(e.connectionId());
                } else {
                    byId.put(e.connectionId(), Connection.of(e));
                }
            }
            // accept: the accepting process replaces the listener's as the owner.
            default -> byId.put(e.connectionId(), Connection.of(e));
        }
    }

    /** Every open socket known from events. */
    public List<Connection> snapshot() {
        return List.copyOf(byId.values());
    }

    public int size() {
        return byId.size();
    }
}
