package dev.apiary.tracker.exec;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Text;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code exec:ps} shell command: what runs in a container, as a process tree. */
@Component(service = ExecCommands.class, property = {
    "osgi.command.scope=exec",
    "osgi.command.function=ps"})
public final class ExecCommands {

    private final Supplier<Optional<ExecTracker.Running>> tracker;
    private final LongSupplier bootClock;

    @Activate
    public ExecCommands(@Reference(name = "tracker") ExecTracker tracker) {
        this(tracker::running, BootClock::nowNanos);
    }

    /**
     * @param tracker   the running tracker's table and containers, empty while it is stopped
     * @param bootClock CLOCK_BOOTTIME nanoseconds now, for ages
     */
    ExecCommands(Supplier<Optional<ExecTracker.Running>> tracker, LongSupplier bootClock) {
        this.tracker = tracker;
        this.bootClock = bootClock;
    }

    @Descriptor("show the processes of every container (the host last), or of one, as trees: pid, ppid, uid, age,"
            + " command line")
    public String ps(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) {
        ExecTracker.Running running = processes();
        List<ProcessInfo> all = running.table().snapshot();
        // A container that runs a known process counts even when core never named it (it lived briefly).
        Map<String, ContainerRef> seen = new LinkedHashMap<>();
        for (ProcessInfo p : all) {
            if (!p.container().isHost()) {
                seen.putIfAbsent(p.container().id(), p.container());
            }
        }
        ContainerWord.Choice choice = ContainerWord.choose(container, running.containers(), seen.values());
        return render(all, choice.only(), json);
    }

    private ExecTracker.Running processes() {
        return tracker.get().orElseThrow(() -> new IllegalStateException(
                "the exec tracker is not running (tracker:start exec)"));
    }

    private String render(List<ProcessInfo> processes, ContainerRef only, boolean json) {
        ProcessTree tree = ProcessTree.of(processes);
        if (only != null) {
            tree = tree.only(only);
        }
        long now = bootClock.getAsLong();
        if (json) {
            return tree.json(now);
        }
        if (tree.groups().isEmpty()) {
            return only == null ? "no processes known" : Text.safe(only.displayName()) + ": no processes running";
        }
        return tree.text(now);
    }
}
