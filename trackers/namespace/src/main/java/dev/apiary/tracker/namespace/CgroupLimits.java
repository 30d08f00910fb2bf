package dev.apiary.tracker.namespace;

import dev.apiary.sdk.Containers.Limit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A process's memory, CPU and pids limits and usage, read from the cgroup files (v1:
 * memory.limit_in_bytes / memory.usage_in_bytes, cpu.cfs_quota_us / cpu.cfs_period_us and
 * cpuacct.usage, pids.max / pids.current; v2: memory.max / memory.current, cpu.max and
 * cpu.stat, pids.max / pids.current). Stateless; each call reads the files afresh.
 */
final class CgroupLimits {

    /**
     * One resource.
     *
     * @param limit      what the limit is, for people: "64.0 MiB", "0.50 CPU", "100", "unlimited"
     * @param usage      what is used now: "1.2 MiB", "0.42 s CPU", "1"; "" when unreadable
     * @param limitFiles the files that hold the limit, with their raw contents
     */
    record Reading(Limit resource, String limit, String usage, List<FileValue> limitFiles) {
        Reading {
            limitFiles = List.copyOf(limitFiles);
        }
    }

    /** A cgroup file and its content (trimmed); "?" when unreadable. */
    record FileValue(Path file, String value) {}

    /** Memory limits at or above this mean none (v1 writes PAGE_COUNTER_MAX pages). */
    private static final long UNLIMITED_BYTES = 1L << 62;

    private final CgroupFs fs;

    CgroupLimits(CgroupFs fs) {
        this.fs = fs;
    }

    List<Reading> read(CgroupFs.ProcessCgroups cgroups) {
        List<Reading> out = new ArrayList<>();
        for (Limit l : Limit.values()) {
            read(cgroups, l).ifPresent(out::add);
        }
        return out;
    }

    /** One resource; empty when its controller is mounted nowhere. */
    Optional<Reading> read(CgroupFs.ProcessCgroups cgroups, Limit resource) {
        return switch (resource) {
            case MEMORY -> memory(cgroups);
            case CPU -> cpu(cgroups);
            case PIDS -> pids(cgroups);
        };
    }

    private Optional<Reading> memory(CgroupFs.ProcessCgroups cg) {
        boolean v1 = fs.isV1(cg, "memory");
        return fs.dir(cg, "memory").map(dir -> {
            FileValue limit = value(dir.resolve(v1 ? "memory.limit_in_bytes" : "memory.max"));
            String usage = value(dir.resolve(v1 ? "memory.usage_in_bytes" : "memory.current")).value();
            return new Reading(Limit.MEMORY, bytesOrUnlimited(limit.value()), usage.matches("\\d+") ? bytes(Long.parseLong(usage)) : "",
                    List.of(limit));
        });
    }

    private Optional<Reading> cpu(CgroupFs.ProcessCgroups cg) {
        if (fs.isV1(cg, "cpu")) {
            return fs.dir(cg, "cpu").map(dir -> {
                FileValue quota = value(dir.resolve("cpu.cfs_quota_us"));
                FileValue period = value(dir.resolve("cpu.cfs_period_us"));
                String usage = fs.dir(cg, "cpuacct").map(d -> value(d.resolve("cpuacct.usage")).value())
                        .filter(u -> u.matches("\\d+")).map(ns -> seconds(Long.parseLong(ns) / 1000)).orElse("");
                return new Reading(Limit.CPU, cpus(quota.value(), period.value()), usage, List.of(quota, period));
            });
        }
        return fs.dir(cg, "cpu").map(dir -> {
            FileValue max = value(dir.resolve("cpu.max"));
            String[] f = max.value().split(" ");
            String usage = "";
            try {
                usage = Files.readAllLines(dir.resolve("cpu.stat")).stream().filter(l -> l.startsWith("usage_usec "))
                        .map(l -> seconds(Long.parseLong(l.substring(11).trim()))).findFirst().orElse("");
            } catch (IOException | NumberFormatException e) {
                // no cpu.stat: usage unknown
            }
            return new Reading(Limit.CPU, cpus(f[0], f.length > 1 ? f[1] : "100000"), usage, List.of(max));
        });
    }

    private Optional<Reading> pids(CgroupFs.ProcessCgroups cg) {
        return fs.dir(cg, "pids").map(dir -> {
            FileValue max = value(dir.resolve("pids.max"));
            return new Reading(Limit.PIDS, max.value().equals("max") ? "unlimited" : max.value(),
                    value(dir.resolve("pids.current")).value().replace("?", ""), List.of(max));
        });
    }

    static FileValue value(Path file) {
        try {
            return new FileValue(file, Files.readString(file).trim());
        } catch (IOException e) {
            return new FileValue(file, "?");
        }
    }

    static String bytesOrUnlimited(String raw) {
        if (raw.equals("max")) {
            return "unlimited";
        }
        try {
            long b = Long.parseLong(raw);
            return b >= UNLIMITED_BYTES ? "unlimited" : bytes(b);
        } catch (NumberFormatException e) {
            return raw;
        }
    }

    static String bytes(long b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? b + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** quota and period in µs (v1 quota -1, v2 "max": none). */
    static String cpus(String quota, String period) {
        if (quota.equals("max") || quota.equals("-1")) {
            return "unlimited";
        }
        try {
            return String.format(Locale.ROOT, "%.2f CPU", Double.parseDouble(quota) / Double.parseDouble(period));
        } catch (NumberFormatException e) {
            return quota + "/" + period;
        }
    }

    static String seconds(long micros) {
        return String.format(Locale.ROOT, "%.2f s CPU", micros / 1e6);
    }
}
