package ${package};

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.Tail;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Options;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.sdk.command.TailPrinter;
import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code ${trackerName}:} shell commands: {@code recent}, the last opens the tracker kept, and
 * {@code tail}, the opens as they happen. A Gogo command is a plain service with
 * {@code osgi.command.scope} and {@code osgi.command.function} properties; each public method
 * of that name is the command.
 *
 * <p>Written with the SDK's command kit, as every Apiary command is (docs/commands.md): an
 * optional container word last ({@link ContainerWord}: a name, an id, an id prefix or
 * {@code host}), {@code --count} read by {@link Options} (a bad value gets the same words as
 * everywhere), tables by {@link Table} (which escapes what a container chose: process names
 * and paths may hold terminal escapes), live tails from {@link Events#tail} printed by
 * {@link TailPrinter}, and events in JSON in the one shape of {@link EventJson}.
 */
@Component(service = ${trackerClass}Commands.class, property = {
    "osgi.command.scope=${trackerName}",
    "osgi.command.function=recent",
    "osgi.command.function=tail"})
public final class ${trackerClass}Commands {

    /** What {@code tail} holds for a terminal that falls behind; more are counted and reported. */
    static final int TAIL_QUEUE = 4096;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    /** One open per line: a snapshot sizes the columns to the cells, a tail uses these widths. */
    private static final Table LINE = Table.of(Column.left("TIME").width(12), Column.left("CONTAINER").width(16),
            Column.right("PID").min(7), Column.left("COMMAND").width(16), Column.right("FLAGS").min(6), Column.left("PATH"));

    private final ${trackerClass}Tracker tracker;
    private final Supplier<Optional<Containers>> containers;
    private final Events events;
    private final Supplier<PrintStream> out;

    @Activate
    public ${trackerClass}Commands(@Reference(name = "tracker") ${trackerClass}Tracker tracker,
            @Reference(name = "events") Events events) {
        this(tracker, tracker::containers, events, () -> System.out);
    }

    /**
     * For tests: the containers and events as a test makes them (the SDK's
     * {@code dev.apiary.sdk.testing.TestContainers} and {@code TestEvents}).
     *
     * @param containers the containers core knows while the tracker runs; empty when it is stopped
     * @param out        where {@code tail} prints; the shell routes the command thread's System.out
     */
    ${trackerClass}Commands(${trackerClass}Tracker tracker, Supplier<Optional<Containers>> containers, Events events,
            Supplier<PrintStream> out) {
        this.tracker = tracker;
        this.containers = containers;
        this.events = events;
        this.out = out;
    }

    @Descriptor("the last opens of every watched container, or of one, oldest first: time, container, pid, command, flags, path")
    public String recent(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("how many to show (default 20; 0: every one kept)")
            @Parameter(names = {"-n", "--count"}, absentValue = "20") String count,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) {
        long n = Options.count(count);
        // The word may name a container that has exited since: the tracker's own table knows it.
        ContainerWord.Choice only = ContainerWord.choose(container, running(), tracker.seen());
        List<${trackerClass}Event> opens = tracker.recent(n == 0 ? Integer.MAX_VALUE : (int) Math.min(n, Integer.MAX_VALUE),
                only::includes);
        if (json) {
            return Json.of(opens.stream().map(EventJson::map).toList());
        }
        if (opens.isEmpty()) {
            return "no opens seen yet" + (only.isAll() ? "" : " in " + only.describe());
        }
        Table table = Table.of(Column.left("TIME"), Column.left("CONTAINER").max(20), Column.right("PID"),
                Column.left("COMMAND"), Column.right("FLAGS"), Column.left("PATH"));
        for (${trackerClass}Event e : opens) {
            table.row(cells(e));
        }
        return table.toString().stripTrailing();
    }

    @Descriptor("the opens of every watched container, or of one, as they happen: until Ctrl-C or --count opens")
    public void tail(
            @Descriptor("one JSON object per line instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("stop after this many opens (default 0: until Ctrl-C)")
            @Parameter(names = {"-n", "--count"}, absentValue = "0") String count,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) throws InterruptedException {
        long n = Options.count(count);
        ContainerWord.Choice only = ContainerWord.choose(container, running(), tracker.seen());
        EventFilter filter = new EventFilter(${trackerClass}Tracker.NAME, ${trackerClass}Event.TYPE, only.filterWord());
        PrintStream print = out.get();
        if (!json) {
            print.print(LINE.header());
        }
        // The tail's queue is filled by core's dispatcher and emptied here, on the command's own
        // thread: Ctrl-C interrupts it, and its System.out is the session's.
        try (Tail tail = events.tail("${trackerName}:tail", filter, TAIL_QUEUE)) {
            TailPrinter.print(tail, n, print, System.err,
                    e -> json ? EventJson.of(e) : LINE.line(cells((${trackerClass}Event) e)));
        }
    }

    /** The columns of one open: FLAGS in octal, as in {@code <fcntl.h>}. */
    private static Object[] cells(${trackerClass}Event e) {
        return new Object[] {TIME.format(BootClock.toInstant(e.header().tsNanos())), e.container().displayName(),
                e.header().pid(), e.header().comm(), "0" + Integer.toOctalString(e.flags()), e.path()};
    }

    private Containers running() {
        return containers.get().orElseThrow(() -> new IllegalStateException(
                "the ${trackerName} tracker is not running (tracker:start ${trackerName})"));
    }
}
