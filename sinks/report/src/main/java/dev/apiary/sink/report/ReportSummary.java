package dev.apiary.sink.report;

import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Text;
import java.util.List;

/**
 * report:show's text: a few lines per section, the workload's before the runtime's setup's,
 * every container-chosen string made safe.
 */
final class ReportSummary {

    private static final int ROWS = 15;

    private ReportSummary() {
    }

    static String text(Report r) {
        StringBuilder s = new StringBuilder();
        Report.Identity c = r.container();
        s.append(Text.safe(c.name().isEmpty() ? c.id() : c.name())).append(" (").append(c.id(), 0, Math.min(12, c.id().length()))
                .append(")  image ").append(Text.safe(c.image())).append("  ").append(c.running() ? "running" : "stopped");
        if (c.exitCode() != null) {
            s.append(", exit code ").append(c.exitCode());
        }
        s.append('\n');
        s.append("events ").append(r.observed().events()).append(" from ").append(dash(r.observed().firstEvent()))
                .append(" to ").append(dash(r.observed().lastEvent())).append('\n');

        s.append("\nprocesses: ").append(r.processes().size()).append(more(r.omitted().processes())).append('\n');
        Table p = Table.of(Table.Column.right("PID"), Table.Column.right("PPID"), Table.Column.right("UID"),
                Table.Column.left("COMMAND").max(60), Table.Column.left("END"));
        for (Report.Process x : first(workloadFirst(r.processes(), Report.Process::runtimeSetup))) {
            String cmd = x.execs().isEmpty() ? x.comm() : String.join(" ", x.execs().getLast().args());
            String end = x.exit() == null ? "running" : x.exit().signal() != 0 ? x.exit().signalName() : "exit " + x.exit().exitCode();
            p.row(x.pid(), x.ppid(), x.uid(), cmd.isEmpty() ? x.comm() : cmd, end);
        }
        section(s, p, r.processes().size());

        s.append("\nfiles: ").append(r.files().size()).append(more(r.omitted().files())).append('\n');
        Table f = Table.of(Table.Column.left("PATH").max(60), Table.Column.left("OPERATIONS"), Table.Column.right("CALLS"),
                Table.Column.right("FAILED"));
        for (Report.File x : first(workloadFirst(r.files(), Report.File::runtimeSetup))) {
            f.row(x.path(), String.join(",", x.operations()), x.calls(), x.failures());
        }
        section(s, f, r.files().size());

        s.append("\nconnections: ").append(r.network().connections().size()).append(more(r.omitted().connections()))
                .append(", listening: ").append(r.network().listening().size()).append('\n');
        Table n = Table.of(Table.Column.left("DIRECTION"), Table.Column.left("ADDRESS").max(46), Table.Column.right("PORT"),
                Table.Column.right("COUNT"), Table.Column.right("FAILED"), Table.Column.right("SENT"),
                Table.Column.right("RECEIVED"));
        for (Report.Connection x : first(r.network().connections())) {
            n.row("connect", x.remoteAddress(), x.remotePort(), x.connects(), x.failures(), x.bytesSent(), x.bytesReceived());
        }
        for (Report.Listener x : first(r.network().listening())) {
            n.row("listen", x.localAddress(), x.localPort(), x.accepts(), 0, x.bytesSent(), x.bytesReceived());
        }
        section(s, n, r.network().connections().size() + r.network().listening().size());

        List<Report.Count> calls = r.syscalls().counts();
        s.append("\nsyscalls: ");
        if (!r.syscalls().counted()) {
            s.append("not counted (the syscall tracker is not running)\n");
        } else {
            s.append(calls.size()).append(" distinct, ").append(calls.stream().mapToLong(Report.Count::count).sum())
                    .append(" calls");
            for (int i = 0; i < Math.min(ROWS, calls.size()); i++) {
                s.append(i == 0 ? ": " : ", ").append(Text.safe(calls.get(i).name())).append(' ').append(calls.get(i).count());
            }
            s.append(calls.size() > ROWS ? ", …\n" : "\n");
        }
        return s.toString();
    }

    /** The workload's entries before the runtime's setup's (runc mounting /dev, reading /proc/self), each in order. */
    private static <T> List<T> workloadFirst(List<T> all, java.util.function.Predicate<T> runtimeSetup) {
        List<T> out = new java.util.ArrayList<>(all.size());
        all.stream().filter(runtimeSetup.negate()).forEach(out::add);
        all.stream().filter(runtimeSetup).forEach(out::add);
        return out;
    }

    private static <T> List<T> first(List<T> all) {
        return all.subList(0, Math.min(ROWS, all.size()));
    }

    private static void section(StringBuilder s, Table t, int total) {
        if (!t.isEmpty()) {
            s.append(t);
        }
        if (total > ROWS) {
            s.append("… and ").append(total - ROWS).append(" more (report:write has them all)\n");
        }
    }

    private static String more(long omitted) {
        return omitted == 0 ? "" : " (and " + omitted + " more not kept: the sink's bounds)";
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
