package dev.apiary.sink.report;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Text;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code report:list}, {@code report:show} and {@code report:write}: thin front ends over
 * {@link ReportSink}. Every wrong argument is one line; a write that fails says why and
 * leaves no half-written file.
 */
@Component(service = ReportCommands.class, property = {
    "osgi.command.scope=report",
    "osgi.command.function=list",
    "osgi.command.function=show",
    "osgi.command.function=write"})
public final class ReportCommands {

    private static final String NOT_HOST = "reports are per container; the host has none";

    private final ReportSink sink;
    private final Containers containers;
    private final Supplier<PrintStream> out;

    @Activate
    public ReportCommands(@Reference(name = "sink") ReportSink sink, @Reference(name = "containers") Containers containers) {
        this(sink, containers, () -> System.out);
    }

    ReportCommands(ReportSink sink, Containers containers, Supplier<PrintStream> out) {
        this.sink = sink;
        this.containers = containers;
        this.out = out;
    }

    @Descriptor("the containers Apiary keeps a report of: what it saw of each, and where its last report went")
    public void list(
            @Descriptor("one JSON object per container")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        PrintStream print = out.get();
        List<ReportSink.Known> known = sink.known();
        if (json) {
            for (ReportSink.Known k : known) {
                java.util.Map<String, Object> line = new java.util.LinkedHashMap<>();
                line.put("container", EventJson.container(k.ref()));
                line.put("stopped", k.stopped());
                line.put("events", k.events());
                line.put("processes", k.processes());
                line.put("files", k.files());
                line.put("connections", k.connections());
                line.put("last_report", k.lastFolder() == null ? null : k.lastFolder().toString());
                print.println(dev.apiary.sdk.Json.of(line));
            }
            return;
        }
        if (known.isEmpty()) {
            print.println("no container activity yet (reports are kept of containers that ran since Apiary started)");
            return;
        }
        Table t = Table.of(Table.Column.left("CONTAINER").max(40), Table.Column.left("ID"), Table.Column.left("STATE"),
                Table.Column.right("EVENTS"), Table.Column.right("PROCESSES"), Table.Column.right("FILES"),
                Table.Column.right("CONNECTIONS"), Table.Column.left("LAST REPORT"));
        for (ReportSink.Known k : known) {
            t.row(k.ref().displayName(), k.ref().shortId(), k.stopped() ? "stopped" : "running", k.events(), k.processes(),
                    k.files(), k.connections(), k.lastFolder() == null ? "-" : k.lastFolder());
        }
        print.print(t);
    }

    @Descriptor("a summary of a container's report: its processes, files, network and syscalls")
    public void show(
            @Descriptor("the whole report as JSON (what report.json would hold)")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a container name or id prefix") String container) throws IOException {
        ContainerRef ref = choose(container);
        Report r = sink.report(ref.id(), "asked").orElseThrow(() -> nothingOf(ref));
        PrintStream print = out.get();
        if (json) {
            print.println(ReportFiles.json(r));
            return;
        }
        print.print(ReportSummary.text(r));
    }

    @Descriptor("writes a container's report now: report.json and/or one CSV file per section, into --out"
            + " (default: the sink's folder setting)/<name>-<id12>/")
    public void write(
            @Descriptor("json, csv or all (default all)")
            @Parameter(names = {"-f", "--format"}, absentValue = "all") String format,
            @Descriptor("the folder under which the container's folder is made (default: the folder setting)")
            @Parameter(names = {"-o", "--out"}, absentValue = "") String dir,
            @Descriptor("a container name or id prefix") String container) {
        ReportFiles.Format f = ReportFiles.Format.parse(format);
        ContainerRef ref = choose(container);
        if (!sink.knows(ref.id())) {
            throw nothingOf(ref);
        }
        Path root = dir.isBlank() ? sink.folder() : Path.of(dir);
        List<Path> files;
        try {
            files = sink.write(ref.id(), "asked", f, root);
        } catch (IOException e) {
            throw new IllegalStateException("could not write the report of " + Text.safe(ref.displayName()) + " into "
                    + Text.safe(root.toString()) + ": " + Text.safe(ReportSink.describe(e)));
        }
        PrintStream print = out.get();
        print.println("report of " + Text.safe(ref.displayName()) + " written to "
                + Text.safe(files.getFirst().getParent().toString()) + ":");
        for (Path p : files) {
            print.println("  " + Text.safe(p.getFileName().toString()));
        }
    }

    private ContainerRef choose(String word) {
        return ContainerWord.container(word, containers, sink.refs(), NOT_HOST);
    }

    private static IllegalArgumentException nothingOf(ContainerRef ref) {
        return new IllegalArgumentException("no activity of " + Text.safe(ref.displayName())
                + " seen yet: a report holds what ran since Apiary started");
    }
}
