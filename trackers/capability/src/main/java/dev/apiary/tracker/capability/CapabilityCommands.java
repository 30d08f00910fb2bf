package dev.apiary.tracker.capability;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.Tail;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Options;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.TailPrinter;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code cap:used} (the capabilities each container checked, counted in the kernel, with the
 * first process and syscall of each) and {@code cap:events} (first checks as they happen).
 */
@Component(service = CapabilityCommands.class, property = {
    "osgi.command.scope=cap",
    "osgi.command.function=used",
    "osgi.command.function=events"})
public final class CapabilityCommands {

    /** cap:used's table, empty. */
    static Table usedTable() {
        return Table.of(Table.Column.left("CONTAINER").max(24), Table.Column.left("CAPABILITY"),
                Table.Column.left("RESULT"), Table.Column.right("CHECKS"), Table.Column.left("PROCESS").max(16),
                Table.Column.left("SYSCALL"), Table.Column.left("BY"));
    }

    private final CapabilityTracker tracker;
    private final Events events;
    private final Supplier<PrintStream> out;

    @Activate
    public CapabilityCommands(@Reference(name = "tracker") CapabilityTracker tracker, @Reference(name = "events") Events events) {
        this(tracker, events, () -> System.out);
    }

    CapabilityCommands(CapabilityTracker tracker, Events events, Supplier<PrintStream> out) {
        this.tracker = tracker;
        this.events = events;
        this.out = out;
    }

    @Descriptor("the capabilities each container checked since the tracker started: granted and refused counts,"
            + " the process and syscall of the first check, and whether the runtime's setup or the workload asked")
    public void used(
            @Descriptor("one JSON object per line")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) {
        List<CapabilityUse> uses = tracker.uses();
        ContainerWord.Choice only = ContainerWord.choose(container, tracker.containers().orElseThrow(),
                uses.stream().map(CapabilityUse::container).toList());
        PrintStream print = out.get();
        Table t = usedTable();
        for (CapabilityUse u : uses) {
            if (!only.includes(u.container())) {
                continue;
            }
            String syscall = u.first() == null ? "?" : u.first().syscall().isEmpty() ? "-" : u.first().syscall();
            if (json) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("container", EventJson.container(u.container()));
                line.put("capability", u.capability());
                line.put("granted", u.granted());
                line.put("checks", u.checks());
                line.put("comm", u.comm());
                line.put("first_pid", u.first() == null ? null : u.first().header().pid());
                line.put("first_syscall", u.first() == null ? null : u.first().syscall());
                line.put("runtime_setup", u.runtimeSetup());
                print.println(Json.of(line));
            } else {
                t.row(u.container().displayName(), u.capability(), u.granted() ? "granted" : "denied", u.checks(), u.comm(),
                        syscall, u.runtimeSetup() ? "runtime" : "workload");
            }
        }
        if (!json) {
            print.print(t.isEmpty() ? "no capability checks seen" + (only.isAll() ? "" : " of " + only.describe()) + "\n" : t);
        }
    }

    @Descriptor("first capability checks as they happen (each container, capability, result and process name once),"
            + " until Ctrl-C or --count")
    public void events(
            @Descriptor("one JSON object per line")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("only refused checks")
            @Parameter(names = {"-d", "--denied"}, presentValue = "true", absentValue = "false") boolean denied,
            @Descriptor("stop after this many events (default 0: until Ctrl-C)")
            @Parameter(names = {"-n", "--count"}, absentValue = "0") String count,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) throws InterruptedException {
        long limit = Options.count(count);
        if (!tracker.running()) {
            throw new IllegalStateException("the capability tracker is not running (tracker:start capability)");
        }
        ContainerWord.Choice only = ContainerWord.choose(container, tracker.containers().orElseThrow());
        PrintStream print = out.get();
        Table line = Table.of(Table.Column.left("CONTAINER").min(16).max(24), Table.Column.right("PID").min(7),
                Table.Column.left("PROCESS").min(16).max(16), Table.Column.left("CAPABILITY").min(22),
                Table.Column.left("RESULT").min(7), Table.Column.left("SYSCALL"));
        if (!json) {
            print.print(line.header());
        }
        try (Tail tail = events.tail("cap:events", new EventFilter(CapabilityTracker.NAME, null, only.filterWord()),
                e -> !denied || !((CapabilityEvent) e).granted(), 4096)) {
            TailPrinter.print(tail, limit, print, System.err, json ? EventJson::of : e -> {
                CapabilityEvent c = (CapabilityEvent) e;
                return line.line(c.container().displayName(), c.header().pid(), c.header().comm(), c.capability(),
                        c.granted() ? "granted" : "denied", c.syscall().isEmpty() ? "-" : c.syscall());
            });
        }
    }
}
