package dev.apiary.tracker.exec;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a process is watched, decided as {@code apiary_watching()} in apiary/watch.h
 * decides it in the kernel, from the same {@code apiary_watched} map: so that the table is
 * seeded with the processes whose events the tracker will see, and no others.
 */
final class WatchScope {

    /** Mode keys, as APIARY_WATCH_ALL and APIARY_WATCH_CONTAINERS. */
    private static final int WATCH_ALL = 0, WATCH_CONTAINERS = 1;

    private final BpfMap watched;
    private final Path proc;

    WatchScope(BpfMap watched, Path proc) {
        this.watched = watched;
        this.proc = proc;
    }

    /** Whether events of that pid are recorded now; false when it is gone. */
    boolean watches(int pid) {
        Optional<Long> mntNs = mountNamespace(pid);
        if (mntNs.isEmpty()) {
            return false;
        }
        Optional<byte[]> decision = watched.lookup(Bytes.u32((int) (long) mntNs.get()));
        if (decision.isPresent()) {
            return decision.get()[0] != 0;
        }
        return watched.lookup(Bytes.u32(WATCH_ALL)).isPresent() || watched.lookup(Bytes.u32(WATCH_CONTAINERS)).isPresent();
    }

    /** The inode of /proc/PID/ns/mnt ("mnt:[4026531841]"). */
    private Optional<Long> mountNamespace(int pid) {
        try {
            String link = Files.readSymbolicLink(proc.resolve(pid + "/ns/mnt")).toString();
            return Optional.of(Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']'))));
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }
}
