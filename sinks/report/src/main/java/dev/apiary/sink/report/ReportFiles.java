package dev.apiary.sink.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a {@link Report} as {@code report.json} and as one CSV file per section, each
 * atomically ({@link AtomicFile}). The CSV files' columns are documented in docs/reports.md;
 * every text cell goes through {@link Cells#safe}. Safe for concurrent use.
 */
final class ReportFiles {

    /** Which files to write. */
    enum Format {
        JSON, CSV, ALL;

        static Format parse(String word) {
            return switch (word == null ? "" : word.strip().toLowerCase(Locale.ROOT)) {
                case "json" -> JSON;
                case "csv" -> CSV;
                case "all", "json,csv", "csv,json" -> ALL;
                default -> throw new IllegalArgumentException("--format: '" + dev.apiary.sdk.command.Text.safe(word)
                        + "' is not a format; give json, csv or all");
            };
        }

        boolean json() {
            return this != CSV;
        }

        boolean csv() {
            return this != JSON;
        }
    }

    static final String JSON_FILE = "report.json";
    /** The CSV files, one per section, in the order written. */
    static final List<String> CSV_FILES = List.of("container.csv", "processes.csv", "files.csv", "connections.csv",
            "listening.csv", "syscalls.csv", "capabilities.csv", "namespaces.csv");

    private static final ObjectMapper JSON = new ObjectMapper(
            new com.fasterxml.jackson.core.JsonFactory().setCharacterEscapes(ControlEscapes.INSTANCE))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    private static final CsvMapper CSV = new CsvMapper();

    private ReportFiles() {
    }

    /** The folder of one container's report under {@code root}: {@code <name>-<id12>}, or {@code <id12>} without a name. */
    static Path folderOf(Path root, dev.apiary.sdk.ContainerRef ref) {
        String name = ref.name().replaceAll("[^A-Za-z0-9_.-]", "_"); // Docker's own name rule, and never a path
        return root.resolve(name.isEmpty() ? ref.shortId() : name + "-" + ref.shortId());
    }

    /**
     * Writes {@code report} into {@code dir} (made if missing).
     *
     * @return the files written, in order
     * @throws IOException the first file system error; files already written stay whole
     */
    static List<Path> write(Report report, Path dir, Format format) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        if (format.json()) {
            Path p = dir.resolve(JSON_FILE);
            AtomicFile.write(p, out -> JSON.writeValue(out, report));
            written.add(p);
        }
        if (format.csv()) {
            for (String name : CSV_FILES) {
                Path p = dir.resolve(name);
                AtomicFile.write(p, out -> csv(name, report, out));
                written.add(p);
            }
        }
        return written;
    }

    static String json(Report report) throws IOException {
        return JSON.writeValueAsString(report);
    }

    private static void csv(String file, Report r, OutputStream out) throws IOException {
        switch (file) {
            case "container.csv" -> {
                Report.Identity c = r.container();
                rows(out, List.of("id", "name", "image", "runtime", "pod", "namespace", "running", "started", "stopped",
                        "exit_code", "first_event", "last_event", "events", "labels"), List.of(c), x -> List.of(
                        x.id(), x.name(), x.image(), x.runtime(), x.pod(), x.namespace(), x.running(), text(x.started()),
                        text(x.stopped()), x.exitCode() == null ? "" : x.exitCode(), text(r.observed().firstEvent()),
                        text(r.observed().lastEvent()), r.observed().events(), joined(x.labels())));
            }
            case "processes.csv" -> {
                // One row per exec; a process seen without an exec (a fork) is one row with no path.
                List<Object[]> execs = new ArrayList<>();
                for (Report.Process p : r.processes()) {
                    if (p.execs().isEmpty()) {
                        execs.add(new Object[] {p, null});
                    }
                    for (Report.Exec e : p.execs()) {
                        execs.add(new Object[] {p, e});
                    }
                }
                rows(out, List.of("pid", "ppid", "uid", "comm", "started", "exec_time", "path", "args", "args_cut",
                        "exec_ret", "exec_error", "exit_time", "exit_code", "signal", "core_dumped", "lifetime_ns", "runtime_setup"), execs, x -> {
                    Report.Process p = (Report.Process) x[0];
                    Report.Exec e = (Report.Exec) x[1];
                    Report.Exit end = p.exit();
                    return List.of(p.pid(), p.ppid(), p.uid(), p.comm(), text(p.started()),
                            e == null ? "" : e.time(), e == null ? "" : e.path(), e == null ? "" : argsText(e.args()),
                            e != null && e.argsCut(), e == null ? "" : e.ret(), e == null ? "" : e.error(),
                            end == null ? "" : end.time(), end == null ? "" : end.exitCode(),
                            end == null ? "" : end.signalName(), end != null && end.coreDumped(),
                            end == null ? "" : end.lifetimeNs(), p.runtimeSetup());
                });
            }
            case "files.csv" -> rows(out, List.of("path", "operations", "calls", "failures", "errors", "first_seen",
                    "first_comm", "first_pid", "runtime_setup"), r.files(), f -> List.of(f.path(), String.join(" ", f.operations()),
                    f.calls(), f.failures(), joined(f.errors()), f.firstSeen(), f.firstComm(), f.firstPid(), f.runtimeSetup()));
            case "connections.csv" -> rows(out, List.of("remote_address", "remote_port", "connects", "failures", "errors",
                    "bytes_sent", "bytes_received", "first_comm", "first_pid"), r.network().connections(), c -> List.of(
                    c.remoteAddress(), c.remotePort(), c.connects(), c.failures(), joined(c.errors()), c.bytesSent(),
                    c.bytesReceived(), c.firstComm(), c.firstPid()));
            case "listening.csv" -> rows(out, List.of("local_address", "local_port", "accepts", "peers", "peers_omitted",
                    "bytes_sent", "bytes_received", "comm", "pid"), r.network().listening(), l -> List.of(l.localAddress(),
                    l.localPort(), l.accepts(), String.join(" ", l.peers()), l.peersOmitted(), l.bytesSent(),
                    l.bytesReceived(), l.comm(), l.pid()));
            case "syscalls.csv" -> rows(out, List.of("name", "count"), r.syscalls().counts(),
                    s -> List.of(s.name(), s.count()));
            case "capabilities.csv" -> rows(out, List.of("capability", "granted", "runtime_setup", "checks", "first_seen",
                    "first_comm", "first_pid", "first_syscall"), r.capabilities().checks(), c -> List.of(c.capability(),
                    c.granted(), c.runtimeSetup(), c.checks(), text(c.firstSeen()), c.firstComm(), c.firstPid(), c.firstSyscall()));
            case "namespaces.csv" -> {
                List<Object> all = new ArrayList<>(r.namespaces().ofContainer());
                all.addAll(r.namespaces().calls());
                rows(out, List.of("what", "kind", "inode", "host_inode", "shared", "count", "failures"), all, x -> x
                        instanceof Report.Namespace n ? List.of("namespace", n.kind(), n.inode(), n.hostInode(), n.shared(), "", "")
                        : call((Report.NamespaceCall) x));
            }
            default -> throw new IllegalArgumentException(file);
        }
    }

    private static List<Object> call(Report.NamespaceCall c) {
        return List.of(c.call(), c.kind(), "", "", "", c.count(), c.failures());
    }

    /** Writes a header and one row per item; text cells made {@link Cells#safe}. */
    private static <T> void rows(OutputStream out, List<String> header, List<T> items, Function<T, List<?>> row)
            throws IOException {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        header.forEach(schema::addColumn);
        try (var w = CSV.writer(schema.build()).without(JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValues(out)) {
            for (T item : items) {
                List<?> cells = row.apply(item);
                Object[] safe = new Object[cells.size()];
                for (int i = 0; i < safe.length; i++) {
                    Object v = cells.get(i);
                    safe[i] = v instanceof String s ? Cells.safe(s) : v;
                }
                w.write(safe);
            }
        }
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    /** The arguments joined by spaces, as ps shows them (report.json keeps them apart). */
    private static String argsText(List<String> args) {
        return String.join(" ", args);
    }

    private static String joined(Map<String, ?> map) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, ?> e : new java.util.TreeMap<>(map).entrySet()) {
            s.append(s.isEmpty() ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
        }
        return s.toString();
    }
}
