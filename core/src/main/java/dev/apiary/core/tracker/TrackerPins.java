package dev.apiary.core.tracker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where trackers' pinned maps live: {@code <base>/<runtime pid>/<tracker>/<map>} in bpffs. A
 * tracker's folder outlives its stops and updates (that is how a new version finds the maps
 * of the old one) and goes when its bundle is uninstalled; the runtime's folder goes when
 * the runtime closes, and folders of runtimes that died without closing are removed at start.
 * Safe for concurrent use.
 */
public final class TrackerPins implements AutoCloseable {

    /** In the bpffs that {@link dev.apiary.core.system.KernelSetup} mounts when it is missing. */
    public static final Path DEFAULT_BASE = Path.of("/sys/fs/bpf/apiary");

    private static final Logger LOG = LoggerFactory.getLogger(TrackerPins.class);

    private final Path root;

    private TrackerPins(Path root) {
        this.root = root;
    }

    /**
     * This runtime's folder under {@code base}, made empty; folders there named after a
     * process that no longer runs are removed with their pins.
     */
    public static TrackerPins create(Path base) {
        try {
            Files.createDirectories(base);
            try (Stream<Path> runtimes = Files.list(base)) {
                for (Path dir : runtimes.toList()) {
                    String name = dir.getFileName().toString();
                    if (name.chars().allMatch(Character::isDigit)
                            && ProcessHandle.of(Long.parseLong(name)).map(ProcessHandle::isAlive).orElse(false)) {
                        continue;
                    }
                    LOG.info("removing pinned maps of a runtime that is gone: {}", dir);
                    delete(dir);
                }
            }
            Path root = base.resolve(Long.toString(ProcessHandle.current().pid()));
            delete(root);
            return new TrackerPins(Files.createDirectories(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the folder for pinned maps in " + base, e);
        }
    }

    /** The runtime's folder. */
    public Path root() {
        return root;
    }

    /** The tracker's folder, made if missing. */
    public Path folder(String tracker) {
        try {
            return Files.createDirectories(root.resolve(tracker));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the folder for tracker " + tracker + "'s pinned maps", e);
        }
    }

    /** Removes the tracker's pinned maps: the kernel frees each map once nothing else holds it. */
    public void remove(String tracker) {
        try {
            delete(root.resolve(tracker));
        } catch (IOException e) {
            LOG.warn("cannot remove tracker {}'s pinned maps", tracker, e);
        }
    }

    /** Removes every tracker's pinned maps and the runtime's folder. */
    @Override
    public void close() {
        try {
            delete(root);
        } catch (IOException e) {
            LOG.warn("cannot remove the pinned maps in {}", root, e);
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
