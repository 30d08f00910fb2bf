package dev.apiary.tracker.exec;

import dev.apiary.bpf.BpfObject;
import dev.apiary.bpf.WatchRules;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.EventType;
import dev.apiary.sdk.RingSize;
import dev.apiary.sdk.Tracker;
import dev.apiary.sdk.TrackerContext;
import dev.apiary.sdk.TrackerName;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The exec tracker: loads exec.bpf.o, decodes its exec and exit records, and keeps a live
 * {@link ProcessTable} from them for {@code exec:ps}. Registered as a {@link Tracker} for core
 * and under its own class for {@link ExecCommands}.
 */
@Component(service = {Tracker.class, ExecTracker.class}, configurationPid = ExecTracker.PID)
@Designate(ocd = ExecTracker.Config.class)
public final class ExecTracker implements Tracker {

    /** Its name, as its pom's {@code <apiary.tracker>} declares it (the bundle's Apiary-Tracker header). */
    public static final String NAME = TrackerName.of(ExecTracker.class);

    /** Its configuration PID, also conf/<PID>.cfg: the bundle's symbolic name. */
    public static final String PID = "dev.apiary.tracker.exec";

    static final String OBJECT = "bpf/exec.bpf.o";

    /** Its settings ({@code tracker:config exec}); a change restarts the tracker. */
    @ObjectClassDefinition(id = ExecTracker.PID, name = "exec tracker", description = "Execs and exits, and the process table of exec:ps")
    public @interface Config {

        /*
         * The default ring: an exec record is about 100 bytes plus its arguments, an exit 96.
         * Warm, the dispatcher keeps up with a storm (through 50,000 execs the most that waited
         * was 68 KB, apiary:stats' ring_peak_bytes); but in the first storm after a start the
         * JIT and the storm's two workers can starve it for seconds, and a 4 MiB ring lost 2,952
         * of a 20,000-exec storm's 40,000 records once in three runs. Since the event path is
         * in the AOT cache and the JSON writer cheaper, the first 50,000-exec storm after a
         * start left at most 380 KB waiting (3 runs). 8 MiB, some 75,000 records, holds a whole
         * 20,000-exec storm; each MiB costs 1 MB of resident memory.
         */
        @AttributeDefinition(description = RingSize.DESCRIPTION,
                min = RingSize.MIN_KIB, max = RingSize.MAX_KIB)
        int ring_kb() default 8192;

        @AttributeDefinition(description = "Events that may wait for the process table of exec:ps before "
                + "they are dropped (the table may then miss execs and exits)", min = "1024", max = "1048576")
        int table_queue() default 65536;
    }

    /** What exists while the tracker runs. */
    record Running(ProcessTable table, Containers containers) {}

    private final Config config;
    private volatile Running running;

    @Activate
    public ExecTracker(Config config) {
        this.config = config;
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
        context.subscribe("exec-process-table", EventSubscriber.of(new EventFilter(NAME, null, null), config.table_queue(), table::apply));
        BpfObject obj = context.load(OBJECT, o -> o.map("apiary_events").setMaxEntries(RingSize.bytes(config.ring_kb())),
                new ExecDecoder());
        Containers containers = context.containers();
        Path proc = Path.of("/proc");
        WatchRules watched = WatchRules.of(obj);
        table.seed(new ProcScanner(proc, containers::ofPid).scan().stream().filter(p -> watched.watchingPid(proc, p.pid())).toList());
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
