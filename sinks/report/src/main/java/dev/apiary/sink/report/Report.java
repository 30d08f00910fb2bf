package dev.apiary.sink.report;

import java.util.List;
import java.util.Map;

/**
 * One container's report: what {@code report.json} holds, section by section, as documented
 * field by field in docs/reports.md and checked against docs/reports.schema.json. Written with
 * snake_case keys. Times are ISO-8601 UTC; a missing one is null.
 *
 * @param reportVersion the shape's version: {@link #VERSION}
 * @param writtenAt     when this report was written
 * @param reason        why it was written: "stopped" (the container stopped) or "asked" (report:write)
 * @param container     who the container is
 * @param observed      what Apiary saw of it and for how long
 * @param processes     every process seen, in the order first seen
 * @param files         every file path touched, in the order first seen
 * @param network       connections made and ports listened on
 * @param syscalls      syscalls by name with counts, as the syscall tracker counted them in the kernel
 * @param capabilities  capability checks (filled by the capability tracker; empty without it)
 * @param namespaces    its namespaces against the host's, its cgroup limits, and the namespace calls made
 * @param alerts        alerts raised about it (filled by the alerts sink; empty without it)
 * @param omitted       what the bounds left out, per section ("and K more")
 */
public record Report(int reportVersion, String writtenAt, String reason, Identity container, Observed observed,
        List<Process> processes, List<File> files, Network network, Syscalls syscalls, Capabilities capabilities,
        Namespaces namespaces, List<Map<String, Object>> alerts, Omitted omitted) {

    /** The current {@code report_version}: raised when a field changes meaning or goes away. */
    public static final int VERSION = 1;

    public record Identity(String id, String name, String image, String runtime, Map<String, String> labels,
            String pod, String namespace, boolean running, String started, String stopped, Integer exitCode) {}

    public record Observed(String firstEvent, String lastEvent, long events) {}

    /** @param runtimeSetup whether it is the container runtime's own (runc:[...]), never the workload's */
    public record Process(int pid, int ppid, int uid, String comm, String started, List<Exec> execs,
            long execsOmitted, Exit exit, boolean runtimeSetup) {}

    public record Exec(String time, String path, List<String> args, boolean argsCut, int ret, String error) {}

    public record Exit(String time, int exitCode, int signal, String signalName, boolean coreDumped, long lifetimeNs) {}

    /** @param runtimeSetup whether only the container runtime touched it (setting the container up) */
    public record File(String path, List<String> operations, long calls, long failures, Map<String, Long> errors,
            String firstSeen, String firstComm, int firstPid, boolean runtimeSetup) {}

    public record Network(List<Connection> connections, List<Listener> listening) {}

    public record Connection(String remoteAddress, int remotePort, long connects, long failures,
            Map<String, Long> errors, long bytesSent, long bytesReceived, String firstComm, int firstPid) {}

    public record Listener(String localAddress, int localPort, long accepts, List<String> peers, long peersOmitted,
            long bytesSent, long bytesReceived, String comm, int pid) {}

    public record Syscalls(String countedBy, boolean counted, List<Count> counts) {}

    public record Count(String name, long count) {}

    /**
     * @param tracked whether the capability tracker counted (its tallies were there)
     * @param checks  per capability, result and who asked (runtime setup or workload)
     */
    public record Capabilities(boolean tracked, List<CapabilityCheck> checks) {}

    /** One capability with one result: the kernel's count and the first check seen. */
    public record CapabilityCheck(String capability, boolean granted, boolean runtimeSetup, long checks,
            String firstSeen, String firstComm, int firstPid, String firstSyscall) {}

    public record Namespaces(List<Namespace> ofContainer, Map<String, String> limits, List<NamespaceCall> calls) {}

    public record Namespace(String kind, long inode, long hostInode, boolean shared) {}

    public record NamespaceCall(String call, String kind, long count, long failures) {}

    public record Omitted(long processes, long files, long connections, long listening) {}
}
