package dev.apiary.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The watch rules of {@code apiary/watch.h} read from user space: whether the kernel side
 * records a task's events, decided from the same {@code apiary_watched} map and in the same
 * order as {@code apiary_watching_mnt_ns()} decides it. A tracker uses it to keep what it
 * learns from elsewhere (a /proc scan, a table of the kernel's) to the tasks its programs see.
 *
 * <p>Reads the map at each call (core changes it while trackers run); holds no state of its
 * own and is safe for concurrent use. The map belongs to the object it came from: this class
 * never closes it. It does not read {@code apiary_paused} (a paused tracker is stopping).
 */
public final class WatchRules {

    /** The map, as declared in apiary/watch.h. */
    public static final String MAP = "apiary_watched";

    /** The mode keys APIARY_WATCH_ALL and APIARY_WATCH_CONTAINERS of apiary/watch.h. */
    public static final int WATCH_ALL = 0, WATCH_CONTAINERS = 1;

    private final BpfMap watched;

    /** Over {@code watched}, an object's {@value #MAP} map. */
    public WatchRules(BpfMap watched) {
        this.watched = watched;
    }

    /** Over the {@value #MAP} map of {@code obj}. */
    public static WatchRules of(BpfObject obj) {
        return new WatchRules(obj.map(MAP));
    }

    /**
     * Whether events of tasks in mount namespace {@code mntNs} are recorded now: its own entry
     * decides (1 or 0); without one, either mode key present means yes.
     */
    public boolean watching(long mntNs) {
        Optional<byte[]> decision = watched.lookup(Bytes.u32((int) mntNs));
        if (decision.isPresent()) {
            return decision.get()[0] != 0;
        }
        return watched.lookup(Bytes.u32(WATCH_ALL)).isPresent() || watched.lookup(Bytes.u32(WATCH_CONTAINERS)).isPresent();
    }

    /** Whether events of process {@code pid} are recorded now, from its mount namespace under {@code proc}; false once it is gone. */
    public boolean watchingPid(Path proc, int pid) {
        return mountNamespace(proc, pid).map(this::watching).orElse(false);
    }

    /** The inode of {@code proc/PID/ns/mnt} (its link reads "mnt:[4026531841]"); empty when the process is gone. */
    public static Optional<Long> mountNamespace(Path proc, int pid) {
        try {
            String link = Files.readSymbolicLink(proc.resolve(pid + "/ns/mnt")).toString();
            return Optional.of(Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']'))));
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }
}
