package dev.apiary.core.container;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.Bytes;
import dev.apiary.bpf.WatchRules;
import dev.apiary.sdk.Container;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@code apiary_watched} map (apiary/watch.h: u32 mount-namespace inode or mode key
 * → u8 decision) in step with a {@link WatchScope} and the containers that run:
 * <ul>
 * <li>{@code all}: key {@code APIARY_WATCH_ALL} (0);</li>
 * <li>{@code containers}: key {@code APIARY_WATCH_CONTAINERS} (1), and the host's mount
 *     namespace ({@link ProcessNamespaces#hostMountNamespace()}) entered as 0;</li>
 * <li>selectors: the mount namespace of each running container they match entered as 1,
 *     deleted when it stops (the kernel reuses namespace inode numbers).</li>
 * </ul>
 * Only keys this class entered are ever deleted. Thread-safe (synchronised; every call is
 * a few map system calls).
 */
public final class WatchedNamespaces {

    /** The mode keys of apiary/watch.h. */
    public static final int KEY_ALL = WatchRules.WATCH_ALL;
    public static final int KEY_CONTAINERS = WatchRules.WATCH_CONTAINERS;

    private static final byte[] WATCHED = {1};
    private static final byte[] NOT_WATCHED = {0};
    private static final Logger LOG = LoggerFactory.getLogger(WatchedNamespaces.class);

    private final BpfMap map;
    private final long hostMntNs;
    private final Map<Integer, byte[]> entered = new HashMap<>();
    private final Map<String, Long> containerNs = new HashMap<>(); // container id -> its mnt ns, while entered
    private WatchScope scope = WatchScope.CONTAINERS;

    /**
     * @param map       a loaded {@code apiary_watched} map (u32 key, u8 value)
     * @param hostMntNs the host's mount namespace inode ({@link ProcessNamespaces#hostMountNamespace()})
     */
    public WatchedNamespaces(BpfMap map, long hostMntNs) {
        if (map.keySize() != 4 || map.valueSize() != 1) {
            throw new IllegalArgumentException("map '" + map.name() + "' has " + map.keySize() + "-byte keys and "
                    + map.valueSize() + "-byte values; apiary_watched has u32 keys and u8 values");
        }
        this.map = map;
        this.hostMntNs = hostMntNs;
    }

    public synchronized WatchScope scope() {
        return scope;
    }

    /** Switches to a scope: clears what the old one entered, enters the new one's keys and containers. */
    public synchronized void apply(WatchScope newScope, Iterable<Container> known) {
        for (Integer key : entered.keySet()) {
            map.delete(Bytes.u32(key));
        }
        entered.clear();
        containerNs.clear();
        scope = newScope;
        switch (newScope.mode()) {
            case ALL -> enter(KEY_ALL, WATCHED);
            case CONTAINERS -> {
                enter(KEY_CONTAINERS, WATCHED);
                if (hostMntNs != 0) {
                    enter((int) hostMntNs, NOT_WATCHED);
                }
            }
            case SELECTED -> {
                for (Container c : known) {
                    update(c);
                }
            }
        }
        LOG.info("watch scope: {}", newScope);
    }

    /** Enters or removes a container after it started, stopped or was renamed. */
    public synchronized void update(Container c) {
        if (scope.mode() != WatchScope.Mode.SELECTED || c.ref().isHost()) {
            return; // the mode keys decide for every container
        }
        String id = c.ref().id();
        Long previous = containerNs.get(id);
        boolean wanted = c.running() && c.mntNs() != 0 && c.mntNs() != hostMntNs && scope.watches(c.ref());
        if (previous != null && (!wanted || previous != c.mntNs())) {
            containerNs.remove(id);
            if (!containerNs.containsValue(previous)) {
                map.delete(Bytes.u32(previous.intValue()));
                entered.remove(previous.intValue());
            }
        }
        if (wanted && !Long.valueOf(c.mntNs()).equals(containerNs.get(id))) {
            containerNs.put(id, c.mntNs());
            enter((int) c.mntNs(), WATCHED);
        }
    }

    /** The keys entered, as u32 inode (or mode key) to decision: for tests and the shell. */
    public synchronized Map<Long, Integer> entries() {
        Map<Long, Integer> out = new HashMap<>();
        entered.forEach((k, v) -> out.put(Integer.toUnsignedLong(k), (int) v[0]));
        return out;
    }

    private void enter(int key, byte[] decision) {
        map.update(Bytes.u32(key), decision);
        entered.put(key, decision);
    }
}
