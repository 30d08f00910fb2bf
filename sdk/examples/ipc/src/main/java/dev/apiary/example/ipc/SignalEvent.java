package dev.apiary.example.ipc;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/**
 * One signal the kernel generated: the header is the sender (the task that was running:
 * the caller of kill/tgkill, or for kernel-made signals such as SIGCHLD the task whose
 * action caused it), the target is the task it was queued for.
 */
public record SignalEvent(EventHeader header, ContainerRef container,
        @FieldDoc("the signal's number (10 = SIGUSR1 on x86-64)") int signal,
        @FieldDoc("the signal's name: SIGUSR1, SIGCHLD, SIGRTMIN+n") String signalName,
        @FieldDoc("the target process (tgid, host pid namespace)") int targetPid,
        @FieldDoc("the target thread") int targetTid,
        @FieldDoc("the target's command name") String targetComm,
        @FieldDoc("the container the target runs in: name (or short id), or host") String targetContainer,
        @FieldDoc("cgroup v2 id of the target") long targetCgroupId,
        @FieldDoc("how it was sent (si_code): kill, tkill, sigqueue, kernel, timer, ...") String origin,
        @FieldDoc("what the kernel did: delivered, ignored (no handler and default ignore), already_pending, overflow, lost_info") String result,
        @FieldDoc("whether it was sent to the whole process (kill) rather than one thread (tgkill)") boolean group)
        implements Event {

    public static final String TYPE = "signal";
}
