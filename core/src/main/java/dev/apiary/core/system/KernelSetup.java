package dev.apiary.core.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the kernel interfaces trackers need available: tracefs (tracepoint programs attach
 * through it) and bpffs, mounted when missing; RLIMIT_MEMLOCK raised on kernels that still
 * charge BPF memory to it. Reports what it did and what it could not do.
 */
public final class KernelSetup {

    private static final Logger LOG = LoggerFactory.getLogger(KernelSetup.class);
    static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    static final Path BPFFS = Path.of("/sys/fs/bpf");

    private KernelSetup() {
    }

    /** What {@link #prepare} found and did, for {@code apiary:status}. */
    public record Report(List<String> done, List<String> problems) {}

    public static Report prepare() {
        List<String> done = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        ensureMounted("tracefs", TRACEFS, TRACEFS.resolve("events"), done, problems);
        ensureMounted("bpf", BPFFS, null, done, problems);
        MemlockLimit.raiseIfNeeded(done, problems);
        return new Report(List.copyOf(done), List.copyOf(problems));
    }

    private static void ensureMounted(String type, Path where, Path marker, List<String> done, List<String> problems) {
        if (isMounted(type, where) || (marker != null && Files.isDirectory(marker))) {
            return;
        }
        try {
            Process p = new ProcessBuilder("mount", "-t", type, type, where.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                problems.add("cannot mount " + type + " at " + where + ": " + out);
                return;
            }
            done.add("mounted " + type + " at " + where);
            LOG.info("mounted {} at {}", type, where);
        } catch (IOException e) {
            problems.add("cannot mount " + type + " at " + where + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a filesystem of this type is mounted exactly at {@code where}. */
    public static boolean isMounted(String type, Path where) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[1].equals(where.toString()) && f[2].equals(type)) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
