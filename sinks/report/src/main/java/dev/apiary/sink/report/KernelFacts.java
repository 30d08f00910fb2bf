package dev.apiary.sink.report;

import dev.apiary.sdk.ContainerLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A running container's namespaces against the host's (from /proc) and its cgroup limits
 * ({@link ContainerLimits}), read through one of its processes while it runs: once it stopped,
 * both are gone, so the sink reads them from the workload's first events and again for each
 * report while it still runs. "The host's" are Apiary's own, which runs on the host (pid 1's
 * may not be readable, in a sandbox).
 *
 * @param namespaces each kind with the container's inode, the host's, and whether they are the same
 * @param limits     resource → limit ("memory" → "64.0 MiB"); empty when unknown
 * @param complete   whether read through a live process; else only what an event's header said
 */
record KernelFacts(List<Report.Namespace> namespaces, Map<String, String> limits, boolean complete) {

    static final KernelFacts NONE = new KernelFacts(List.of(), Map.of(), false);

    /** The kinds /proc/PID/ns has, in the order reports list them. */
    static final List<String> KINDS = List.of("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts");

    boolean known() {
        return !namespaces.isEmpty();
    }

    /**
     * What can be read through the container's process {@code pid}; {@link #NONE} when it is gone.
     *
     * @param limits where limits come from; null when no bundle provides them
     */
    static KernelFacts read(int pid, Path proc, ContainerLimits limits) {
        List<Report.Namespace> ns = new ArrayList<>();
        for (String kind : KINDS) {
            long mine = inode(proc.resolve(pid + "/ns/" + kind));
            long host = inode(proc.resolve("self/ns/" + kind));
            if (mine != 0) {
                ns.add(new Report.Namespace(kind, mine, host, mine == host));
            }
        }
        if (ns.isEmpty()) {
            return NONE;
        }
        return new KernelFacts(List.copyOf(ns), limits == null ? Map.of() : limits.ofProcess(pid), true);
    }

    /**
     * The mount, pid and network namespaces an event's header carries: what is left to say of a
     * container whose processes were gone before the sink could read /proc (a short job whose
     * events waited for its name).
     */
    static KernelFacts of(dev.apiary.bpf.EventHeader h, Path proc) {
        List<Report.Namespace> ns = new ArrayList<>(3);
        long[] inodes = {h.mntNs(), h.netNs(), h.pidNs()};
        String[] kinds = {"mnt", "net", "pid"};
        for (int i = 0; i < kinds.length; i++) {
            if (inodes[i] != 0) {
                long host = inode(proc.resolve("self/ns/" + kinds[i]));
                ns.add(new Report.Namespace(kinds[i], inodes[i], host, inodes[i] == host));
            }
        }
        return new KernelFacts(List.copyOf(ns), Map.of(), false);
    }

    /** The inode in a namespace link's "net:[4026531840]", 0 when it cannot be read. */
    static long inode(Path link) {
        try {
            String target = Files.readSymbolicLink(link).toString();
            int open = target.indexOf('['), close = target.indexOf(']');
            return open < 0 || close < open ? 0 : Long.parseLong(target.substring(open + 1, close));
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            return 0;
        }
    }
}
