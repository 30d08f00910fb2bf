package dev.apiary.core.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the cgroup v2 hierarchy is mounted: {@code /sys/fs/cgroup} on a pure v2 system,
 * {@code /sys/fs/cgroup/unified} on a v1+v2 hybrid. Found in {@code /proc/self/mountinfo}.
 */
public final class CgroupRoot {

    private CgroupRoot() {
    }

    /**
     * The mount point of the first cgroup2 file system this process sees.
     *
     * @throws IllegalStateException when none is mounted (cgroup v1 only): container identity needs cgroup v2 ids
     */
    public static Path detect() {
        return detect(Path.of("/proc/self/mountinfo"));
    }

    static Path detect(Path mountinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(mountinfo);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + mountinfo, e);
        }
        for (String line : lines) {
            // id parent major:minor root mount-point options [optional fields] - fstype source super-options
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] after = line.substring(dash + 3).split(" ");
            if (after.length > 0 && after[0].equals("cgroup2")) {
                String[] before = line.substring(0, dash).split(" ");
                if (before.length > 4) {
                    return Path.of(unescape(before[4]));
                }
            }
        }
        throw new IllegalStateException("no cgroup2 file system is mounted (looked in " + mountinfo
                + "); Apiary needs cgroup v2, at /sys/fs/cgroup or /sys/fs/cgroup/unified");
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && isOctal(field, i + 1, i + 4)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
