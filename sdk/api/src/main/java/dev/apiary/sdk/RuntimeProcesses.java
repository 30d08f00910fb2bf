package dev.apiary.sdk;

/**
 * Which of a container's tasks are its runtime setting it up rather than its workload: runc
 * names its processes {@code runc:[0:PARENT]}, {@code runc:[1:CHILD]} and {@code runc:[2:INIT]}
 * until the last one execs the container's command; crun's keep {@code crun}. What they do
 * (mounts, /proc/self reads, capability checks, the seccomp filter's loading) is the runtime's.
 */
public final class RuntimeProcesses {

    private RuntimeProcesses() {
    }

    /** Whether a task named {@code comm} (as the kernel names it, at most 15 bytes) is the runtime's setup. */
    public static boolean isSetup(String comm) {
        return comm.equals("runc") || comm.startsWith("runc:") || comm.equals("crun");
    }
}
