package dev.apiary.tracker.exec;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import java.util.List;
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

    @Descriptor("show the processes of every container (the host last) as trees: pid, ppid, uid, age, command line")
    public String ps(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        return render(processes().table().snapshot(), null, json);
    }

    @Descriptor("show the processes of one container as a tree: pid, ppid, uid, age, command line")
    public String ps(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a container name, id, id prefix (3+ characters), or 'host'") String container) {
        ExecTracker.Running running = processes();
        List<ProcessInfo> all = running.table().snapshot();
        return render(all, resolve(container, all, running.containers()), json);
    }

    private ExecTracker.Running processes() {
        return tracker.get().orElseThrow(() -> new IllegalStateException(
                "the exec tracker is not running (tracker:start exec)"));
    }

    /**
     * The container a user's word names: one that runs a known process first, then any
     * container core knows (which may run nothing now).
     *
     * @throws IllegalArgumentException when no container has that name or id
     */
    static ContainerRef resolve(String word, List<ProcessInfo> processes, Containers containers) {
        if (word.equals(ContainerRef.HOST_ID)) {
            return ContainerRef.HOST;
        }
        Optional<ContainerRef> running = processes.stream().map(ProcessInfo::container)
                .filter(c -> c.matches(word)).findFirst();
        return running.or(() -> containers.find(word).map(Container::ref)).orElseThrow(() ->
                new IllegalArgumentException("no container named '" + word
                        + "' (give a name, an id or an id prefix; apiary:containers lists them)"));
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
            return only == null ? "no processes known" : only.displayName() + ": no processes running";
        }
        return tree.text(now);
    }
}
