package dev.apiary.tracker.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceKindTest {

    @Test
    void runcsUnshareFlagsAreItsFiveNamespaces() {
        // What runc:[1:CHILD] passed to unshare for a default docker run (seen on this machine).
        assertEquals(List.of("mnt", "pid", "net", "ipc", "uts"), NamespaceKind.names(NamespaceKind.ofFlags(0x6c020000L)));
    }

    @Test
    void everyKindHasItsCloneBit() {
        assertEquals(List.of(NamespaceKind.TIME), NamespaceKind.ofFlags(0x80));
        assertEquals(List.of(NamespaceKind.USER), NamespaceKind.ofFlags(0x10000000));
        assertEquals(List.of(NamespaceKind.CGROUP), NamespaceKind.ofFlags(0x02000000));
        assertEquals(List.of(NamespaceKind.values()), NamespaceKind.ofFlags(NamespaceKind.MASK));
        assertEquals(0x7E020080L, NamespaceKind.MASK); // 0x80000000 is CLONE_IO, not a namespace
    }

    @Test
    void otherCloneFlagsAreNotNamespaces() {
        // CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | SIGCHLD: a thread
        assertEquals(List.of(), NamespaceKind.ofFlags(0x00010f00L | 17));
        assertEquals(List.of(), NamespaceKind.ofFlags(0));
    }

    @Test
    void kindsAreFoundByTheirProcName() {
        for (NamespaceKind k : NamespaceKind.values()) {
            assertEquals(k, NamespaceKind.ofProcName(k.procName()).orElseThrow());
        }
        assertEquals(java.util.Optional.empty(), NamespaceKind.ofProcName("pid_for_children"));
    }
}
