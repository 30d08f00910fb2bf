package dev.apiary.tracker.exec;

import dev.apiary.bpf.BpfObject;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * The exec tracker: loads exec.bpf.o, decodes its exec and exit records, and keeps a live
 * {@link ProcessTable} from them for {@code exec:ps}. Registered as a {@link Tracker} for core
 * and under its own class for {@link ExecCommands}.
 */
@Component(service = {Tracker.class, ExecTracker.class})
public final class ExecTracker implements Tracker {

    public static final String NAME = "exec";
    static final String OBJECT = "bpf/exec.bpf.o";

    /**
     * Ring size. An exec record is about 100 bytes plus its arguments, an exit 96: 16 MiB
     * holds some 150,000 of them, a whole fork+exec storm of this machine's fastest rate
     * while the reader is starved of CPU by the storm itself (Falco's default is 8 MiB per CPU).
     */
    static final int RING_BYTES = 16 << 20;

    /** Queue of the table's own subscription: exits and execs of a burst must not be dropped. */
    static final int TABLE_QUEUE = 1 << 16;

    /** What exists while the tracker runs. */
    record Running(ProcessTable table, Containers containers) {}

    private volatile Running running;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "every exec (arguments, path, failures) and process exit (code, signal, lifetime); exec:ps";
    }

    @Override
    public List<EventType> events() {
        return List.of(
                new EventType(ExecEvent.TYPE, ExecEvent.class, "a process ran a program (execve/execveat), or failed to"),
                new EventType(ExitEvent.TYPE, ExitEvent.class, "a process ended (its last thread exited)"));
    }

    /**
     * Subscribes the table first and attaches next, so that no exec or exit between the
     * /proc scan and the attach is missed; then seeds the table from /proc (see
     * {@link ProcessTable} for why the order of events and seed does not matter), with the
     * processes the kernel side watches: those are the ones whose exits will remove them.
     */
    @Override
    public void start(TrackerContext context) throws Exception {
        ProcessTable table = new ProcessTable();
        context.subscribe("exec-process-table", EventSubscriber.of(new EventFilter(NAME, null, null), TABLE_QUEUE, table::apply));
        ExecDecoder decoder = new ExecDecoder();
        BpfObject obj = context.load(OBJECT, o -> {
            decoder.verify(o.btf());
            o.map("apiary_events").setMaxEntries(RING_BYTES);
        }, decoder);
        Containers containers = context.containers();
        Path proc = Path.of("/proc");
        WatchScope scope = new WatchScope(obj.map("apiary_watched"), proc);
        table.seed(new ProcScanner(proc, containers::ofPid).scan().stream().filter(p -> scope.watches(p.pid())).toList());
        running = new Running(table, containers);
    }

    @Override
    public void stop() {
        running = null;
    }

    /** The table and the containers while the tracker runs; empty when it is stopped. */
    Optional<Running> running() {
        return Optional.ofNullable(running);
    }
}
