package dev.apiary.tracker.namespace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Namespace ids from /proc: the links of /proc/PID/ns/ ("mnt:[4026531841]"). The host's are
 * read from /proc/self/ns: Apiary runs in the host's namespaces (and /proc/1/ns may be
 * unreadable, as under a sandboxing supervisor). Stateless.
 */
final class ProcNamespaces {

    private final Path proc;

    ProcNamespaces(Path proc) {
        this.proc = proc;
    }

    /** The namespace inode of each kind for a pid ("self" for Apiary's own); a kind the kernel lacks is left out. */
    Map<NamespaceKind, Long> of(String pid) {
        Map<NamespaceKind, Long> ids = new LinkedHashMap<>();
        for (NamespaceKind k : NamespaceKind.values()) {
            try {
                String link = Files.readSymbolicLink(proc.resolve(pid).resolve("ns").resolve(k.procName())).toString();
                ids.put(k, Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']'))));
            } catch (IOException | RuntimeException missing) {
                // no such kind on this kernel, or the process is gone
            }
        }
        return ids;
    }
}
