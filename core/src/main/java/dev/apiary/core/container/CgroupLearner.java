package dev.apiary.core.container;

import dev.apiary.bpf.BpfObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows the path of every cgroup v2 id: from the records of {@code cgroups.bpf.o} (a cgroup
 * made a millisecond ago, or already gone again) and from walking the cgroup tree (cgroups
 * made before Apiary started: a directory's inode number is its cgroup id).
 *
 * <p>Thread-safety: {@link #onRecord} is called by one thread at a time (whoever drains the
 * ring); {@link #scan} and {@link #rescanIfDue} are serialised internally; {@link #path} is
 * lock-free from any thread. The listener runs on the thread that learned the cgroup.
 */
public final class CgroupLearner {

    /** Where core carries the object, in its own bundle. */
    public static final String OBJECT_RESOURCE = "bpf/cgroups.bpf.o";

    /** Called for what the learner finds; must be quick and must not call back into the learner's scan. */
    public interface Listener {
        void learned(long cgroupId, String path);

        void removed(long cgroupId, String path);
    }

    private static final Logger LOG = LoggerFactory.getLogger(CgroupLearner.class);

    private final Path root;
    private final Listener listener;
    private final long rescanIntervalNanos;
    private final Map<Long, String> paths = new ConcurrentHashMap<>();
    private final AtomicLong lastScan = new AtomicLong(Long.MIN_VALUE / 2);
    private final Object scanLock = new Object();

    /**
     * @param root            the cgroup v2 mount point ({@link CgroupRoot#detect()})
     * @param rescanInterval  the least time between two walks of the tree on misses
     */
    public CgroupLearner(Path root, Duration rescanInterval, Listener listener) {
        this.root = root;
        this.listener = listener;
        this.rescanIntervalNanos = rescanInterval.toNanos();
    }

    /** Checks that the object's {@code struct cgroup_event} is what {@link CgroupRecord} reads. */
    public static void checkLayout(BpfObject cgroupsObject) {
        cgroupsObject.btf().checkLayout("cgroup_event", CgroupRecord.LAYOUT);
    }

    public Path root() {
        return root;
    }

    /** Consumes one ring record of cgroups.bpf.o (copies what it keeps; the segment may be ring memory). */
    public void onRecord(MemorySegment record) {
        learn(CgroupRecord.read(record));
    }

    /** Learns from a decoded record. */
    public void learn(CgroupRecord record) {
        if (record.maybeCut()) {
            // The end of the path, which names the container, may be missing: ask the tree instead.
            LOG.debug("cgroup {} path was cut at {} bytes; looking it up in the tree", record.id(), CgroupRecord.PATH_LEN);
            return;
        }
        if (record.removed()) {
            listener.removed(record.id(), record.path());
        } else if (paths.put(record.id(), record.path()) == null) {
            listener.learned(record.id(), record.path());
        }
    }

    /** The path of a cgroup id below the root ("/" for the root itself), if learned. */
    public Optional<String> path(long cgroupId) {
        return Optional.ofNullable(paths.get(cgroupId));
    }

    /** The id of a cgroup path, if learned (a walk over everything learned: for tests and the shell). */
    public java.util.OptionalLong idOf(String path) {
        return paths.entrySet().stream().filter(e -> e.getValue().equals(path))
                .mapToLong(Map.Entry::getKey).findFirst();
    }

    /** Forgets a removed cgroup (ids are never reused, so this only frees memory). */
    public void forget(long cgroupId) {
        paths.remove(cgroupId);
    }

    /** How many cgroups are known. */
    public int size() {
        return paths.size();
    }

    /**
     * Walks the whole tree and learns every directory not known yet.
     *
     * @return how many cgroups were new
     * @throws UncheckedIOException when the root cannot be read
     */
    public int scan() {
        synchronized (scanLock) {
            lastScan.set(System.nanoTime());
            int[] added = {0};
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                        long id = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
                        String rel = "/" + root.relativize(dir).toString();
                        if (paths.putIfAbsent(id, rel) == null) {
                            added[0]++;
                            listener.learned(id, rel);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE; // removed while we walked: nothing to learn
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot walk the cgroup tree at " + root, e);
            }
            return added[0];
        }
    }

    /**
     * Walks the tree again unless the last walk is more recent than the rescan interval: what
     * a lookup miss calls, so that a flood of unknown ids costs one walk per interval.
     *
     * @return whether a walk ran
     */
    public boolean rescanIfDue() {
        long last = lastScan.get();
        long now = System.nanoTime();
        if (now - last < rescanIntervalNanos || !lastScan.compareAndSet(last, now)) {
            return false;
        }
        try {
            scan();
        } catch (UncheckedIOException e) {
            LOG.warn("rescanning the cgroup tree failed: {}", e.getMessage());
        }
        return true;
    }
}
