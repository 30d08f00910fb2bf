package dev.apiary.tracker.exec;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import java.util.List;
import java.util.Map;

/** Events and processes as the tracker would see them, for tests without BPF. */
final class Fixtures {

    static final ContainerRef WEB = new ContainerRef("3f2a1b9c0d12aa55" + "0".repeat(48), "web", "nginx:1.27",
            "docker", Map.of(), "", "");
    static final ContainerRef DB = new ContainerRef("77aa00bb11cc22dd" + "0".repeat(48), "db", "postgres:17",
            "docker", Map.of(), "", "");

    static final long SECOND = 1_000_000_000L;

    private Fixtures() {
    }

    static EventHeader header(int pid, int ppid, int uid, String comm, int type, long tsNs) {
        return new EventHeader(tsNs, 1234, pid, pid, ppid, uid, uid, 4026531841L, 4026531836L, 4026531840L, type, 0, comm);
    }

    static ExecEvent exec(ContainerRef c, int pid, int ppid, long startNs, String... args) {
        String comm = args[0].substring(args[0].lastIndexOf('/') + 1);
        return new ExecEvent(header(pid, ppid, 0, comm, ExecDecoder.EXEC, startNs + SECOND), c, args[0],
                List.of(args), false, 0, false, false, startNs);
    }

    static ExecEvent failedExec(ContainerRef c, int pid, int ppid, String comm, long startNs, String path) {
        return new ExecEvent(header(pid, ppid, 0, comm, ExecDecoder.EXEC, startNs + SECOND), c, path,
                List.of(path), false, -2, false, false, startNs);
    }

    static ExitEvent exit(ContainerRef c, int pid, long startNs, long lifetimeNs, int status) {
        return ExitEvent.fromWaitStatus(header(pid, 1, 0, "x", ExecDecoder.EXIT, startNs + lifetimeNs), c, status,
                lifetimeNs, startNs);
    }

    static ProcessInfo process(ContainerRef c, int pid, int ppid, int uid, long startNs, String... args) {
        String comm = args.length == 0 ? "kworker" : args[0].substring(args[0].lastIndexOf('/') + 1);
        return new ProcessInfo(pid, ppid, uid, c, comm, args.length == 0 ? "" : args[0], List.of(args), false, startNs);
    }
}
