package dev.apiary.tracker.capability;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/**
 * The first capability check of one key: a container's process name asking for one
 * capability with one result (the kernel counts the checks that follow; {@code cap:used}
 * shows them). The header is the checking task's.
 *
 * @param capability its name, "CAP_NET_RAW"
 * @param cap        its number
 * @param granted    whether the check passed
 * @param error      the error a refused check returned ("EPERM"), "" when granted
 * @param syscallNr  the syscall the task was in, -1 outside one
 * @param syscall    its name, "" outside one
 * @param capableNs  the user namespace the capability was checked in (its inode)
 * @param targetNs   the user namespace of what was acted on (its inode)
 * @param credUid    the effective uid of the credentials checked
 */
public record CapabilityEvent(EventHeader header, ContainerRef container,
        @FieldDoc("the capability's name, CAP_CHOWN ...") String capability,
        @FieldDoc("its number") int cap,
        @FieldDoc("whether the check passed") boolean granted,
        @FieldDoc("the error a refused check returned (EPERM), empty when granted") String error,
        @FieldDoc("the syscall the task was in, -1 outside one") long syscallNr,
        @FieldDoc("that syscall's name, empty outside one") String syscall,
        @FieldDoc("inode of the user namespace the capability was checked in") long capableNs,
        @FieldDoc("inode of the user namespace of what was acted on") long targetNs,
        @FieldDoc("effective uid of the credentials checked") int credUid) implements Event {

    public static final String TYPE = "check";
}
