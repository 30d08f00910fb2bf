package dev.apiary.tracker.namespace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names cgroup hierarchies by their controllers, from {@code /proc/cgroups} (columns
 * subsys_name, hierarchy, num_cgroups, enabled): hierarchy 4 is "memory", 3 "cpu,cpuacct".
 * Hierarchy 0 is cgroup v2 and is named "v2". Re-reads the file when asked about an id it
 * has not seen (a hierarchy mounted later). Safe for concurrent use.
 */
final class CgroupHierarchies {

    static final String V2 = "v2";

    private final Path procCgroups;
    private volatile Map<Integer, String> names = Map.of();

    CgroupHierarchies(Path procCgroups) {
        this.procCgroups = procCgroups;
    }

    /** The controllers of a hierarchy, "" when /proc/cgroups does not list it. */
    String controllers(int hierarchy) {
        if (hierarchy == 0) {
            return V2;
        }
        String name = names.get(hierarchy);
        if (name == null) {
            names = read(procCgroups);
            name = names.getOrDefault(hierarchy, "");
        }
        return name;
    }

    static Map<Integer, String> read(Path procCgroups) {
        Map<Integer, String> byId = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(procCgroups)) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f.length < 2) {
                    continue;
                }
                int id = Integer.parseInt(f[1]);
                if (id != 0) {
                    byId.merge(id, f[0], (a, b) -> a + "," + b);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Map.of();
        }
        return new ConcurrentHashMap<>(byId);
    }
}
