package dev.apiary.tracker.namespace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where cgroup files are: the mount points of the cgroup v1 controllers and of cgroup v2
 * (from a mountinfo file), and the cgroup paths of a process (from /proc/PID/cgroup). Works on
 * v1, v2 and hybrid systems: a controller bound to a v1 hierarchy is read there, the others in
 * v2. Immutable once read; safe for concurrent use.
 */
final class CgroupFs {

    /** The cgroups of one process: the v2 path and, per v1 controller, its path. */
    record ProcessCgroups(String v2Path, Map<String, String> v1Paths) {
        ProcessCgroups {
            v1Paths = Map.copyOf(v1Paths);
        }
    }

    private final Path proc;
    private final Path v2Mount;
    private final Map<String, Path> v1Mounts;

    CgroupFs(Path proc, Path v2Mount, Map<String, Path> v1Mounts) {
        this.proc = proc;
        this.v2Mount = v2Mount;
        this.v1Mounts = Map.copyOf(v1Mounts);
    }

    /** Reads the mount points from {@code proc/self/mountinfo}. */
    static CgroupFs read(Path proc) throws IOException {
        Path v2 = null;
        Map<String, Path> v1 = new HashMap<>();
        for (String line : Files.readAllLines(proc.resolve("self/mountinfo"))) {
            // id parent major:minor root mountpoint options [optional fields] - fstype source superoptions
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(unescape(left[4]));
            if (right[0].equals("cgroup2") && v2 == null) {
                v2 = mountPoint;
            } else if (right[0].equals("cgroup")) {
                for (String option : right[2].split(",")) {
                    v1.putIfAbsent(option, mountPoint); // "rw" and the like never name a controller
                }
            }
        }
        return new CgroupFs(proc, v2, v1);
    }

    /** The cgroups of a process, from {@code /proc/PID/cgroup}. */
    ProcessCgroups of(int pid) throws IOException {
        String v2 = "";
        Map<String, String> v1 = new LinkedHashMap<>();
        for (String line : Files.readAllLines(proc.resolve(pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                v2 = f[2];
            } else {
                for (String controller : f[1].split(",")) {
                    if (!controller.isEmpty()) {
                        v1.put(controller, f[2]);
                    }
                }
            }
        }
        return new ProcessCgroups(v2, v1);
    }

    /**
     * The directory where a controller's files for that process are: its v1 hierarchy when the
     * controller is bound to one, else its v2 cgroup; empty when neither is mounted.
     */
    Optional<Path> dir(ProcessCgroups cgroups, String controller) {
        String v1Path = cgroups.v1Paths().get(controller);
        Path v1Mount = v1Mounts.get(controller);
        if (v1Path != null && v1Mount != null) {
            return Optional.of(under(v1Mount, v1Path));
        }
        if (v2Mount != null) {
            return Optional.of(under(v2Mount, cgroups.v2Path()));
        }
        return Optional.empty();
    }

    /** Whether the controller is read from a v1 hierarchy for that process. */
    boolean isV1(ProcessCgroups cgroups, String controller) {
        return cgroups.v1Paths().containsKey(controller) && v1Mounts.containsKey(controller);
    }

    /** Every cgroup directory of the process: "v2" and each v1 hierarchy's controllers, with its path. */
    List<String> describe(ProcessCgroups cgroups) {
        Map<String, String> byPath = new LinkedHashMap<>();
        if (v2Mount != null && !cgroups.v2Path().isEmpty()) {
            byPath.put(under(v2Mount, cgroups.v2Path()).toString(), "v2");
        }
        // Sorted: Map.copyOf iterates in an order that changes from run to run, and
        // "cpu,cpuacct" should read the same every time (and as /proc/PID/cgroup writes it).
        new TreeMap<>(cgroups.v1Paths()).forEach((controller, path) -> {
            Path mount = v1Mounts.get(controller);
            if (mount != null) {
                byPath.merge(under(mount, path).toString(), controller, (a, b) -> a + "," + b);
            }
        });
        return byPath.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList();
    }

    private static Path under(Path mount, String cgroupPath) {
        String rel = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        return rel.isEmpty() ? mount : mount.resolve(rel);
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
