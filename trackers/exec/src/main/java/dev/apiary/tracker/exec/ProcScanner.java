package dev.apiary.tracker.exec;

import dev.apiary.sdk.ContainerRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Reads the processes that run now from a proc file system: what the process table starts
 * from before events keep it current. Kernel threads are left out: they belong to no
 * container and never exec.
 */
final class ProcScanner {

    /** USER_HZ: /proc/PID/stat counts start times in these ticks; 100 on every architecture Apiary runs on. */
    static final long TICKS_PER_SECOND = 100;
    static final long NANOS_PER_TICK = 1_000_000_000L / TICKS_PER_SECOND;

    private static final int PF_KTHREAD = 0x00200000;

    private final Path proc;
    private final IntFunction<ContainerRef> containerOf;

    /**
     * @param proc        the proc mount, normally /proc
     * @param containerOf the container of a host pid
     */
    ProcScanner(Path proc, IntFunction<ContainerRef> containerOf) {
        this.proc = proc;
        this.containerOf = containerOf;
    }

    /** Every user-space process readable now; those that exit while being read are left out. */
    List<ProcessInfo> scan() throws IOException {
        List<ProcessInfo> processes = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> isPid(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                read(dir).ifPresent(processes::add);
            }
        }
        return processes;
    }

    /** One process, or empty when it is a kernel thread or is gone. */
    Optional<ProcessInfo> read(Path dir) {
        try {
            int pid = Integer.parseInt(dir.getFileName().toString());
            String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
            // "pid (comm) state ppid ..." where comm may hold spaces and parentheses: it ends at the last ')'.
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            String comm = stat.substring(open + 1, close);
            String[] fields = stat.substring(close + 2).trim().split(" ");
            int ppid = Integer.parseInt(fields[1]);             // field 4
            long flags = Long.parseLong(fields[6]);             // field 9
            long startTicks = Long.parseLong(fields[19]);       // field 22
            if ((flags & PF_KTHREAD) != 0) {
                return Optional.empty();
            }
            return Optional.of(new ProcessInfo(pid, ppid, realUid(dir), containerOf.apply(pid), comm, exe(dir),
                    cmdline(dir), false, startTicks * NANOS_PER_TICK));
        } catch (IOException | RuntimeException gone) {
            // It exited between the listing and the read (or its files were half there): not running.
            return Optional.empty();
        }
    }

    private static int realUid(Path dir) throws IOException {
        for (String line : Files.readAllLines(dir.resolve("status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no Uid line in " + dir.resolve("status"));
    }

    private static List<String> cmdline(Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve("cmdline"));
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                if (i > start || i < bytes.length) {
                    args.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return args;
    }

    private static String exe(Path dir) {
        try {
            return Files.readSymbolicLink(dir.resolve("exe")).toString();
        } catch (IOException | UnsupportedOperationException unreadable) {
            return ""; // a zombie, or not ours to read
        }
    }

    private static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
