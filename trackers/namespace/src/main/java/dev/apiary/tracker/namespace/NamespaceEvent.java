package dev.apiary.tracker.namespace;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;
import java.util.List;
import java.util.Map;

/**
 * A task created namespaces (clone, clone3, fork, unshare) or entered them (setns).
 *
 * @param type       "clone", "unshare" or "setns"
 * @param kinds      the kinds created or entered, as in /proc/PID/ns/: "mnt", "pid", "net", "ipc", "uts", "user", "cgroup", "time"
 * @param namespaces for each of those kinds, the namespace's inode (as /proc/PID/ns/KIND shows it) that the
 *                   task (clone: the new task) has afterwards; pid and time are those its next children get.
 *                   Empty after a failed call
 * @param flags      the raw argument: clone flags, unshare flags, or setns's nstype (0 = any kind)
 * @param childPid   clone: the new task's pid (host view); 0 otherwise
 * @param childComm  clone: the new task's command name; "" otherwise
 * @param fd         setns: the file descriptor passed; -1 otherwise
 * @param ret        unshare and setns: 0 or the negative errno; clone: the new pid
 */
public record NamespaceEvent(EventHeader header, ContainerRef container,
        @FieldDoc("clone, unshare or setns") String type,
        @FieldDoc("namespace kinds created (clone, unshare) or entered (setns)") List<String> kinds,
        @FieldDoc("kind -> namespace inode afterwards (pid, time: those of the next children)") Map<String, Long> namespaces,
        @FieldDoc("the raw flags argument (clone/unshare flags, setns nstype)") long flags,
        @FieldDoc("clone: the new task's pid") int childPid,
        @FieldDoc("clone: the new task's command name") String childComm,
        @FieldDoc("setns: the fd passed, else -1") int fd,
        @FieldDoc("0 or the negative errno (clone: the new pid)") int ret) implements Event {

    public NamespaceEvent {
        kinds = List.copyOf(kinds);
        namespaces = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(namespaces)); // kinds' order
    }

    public boolean succeeded() {
        return ret >= 0;
    }
}
