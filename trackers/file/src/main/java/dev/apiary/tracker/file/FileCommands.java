package dev.apiary.tracker.file;

import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Tail;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Options;
import dev.apiary.sdk.command.TailPrinter;
import dev.apiary.sdk.command.Text;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code file:top} (files by bytes read and written, refreshed; {@link TopFrame}) and
 * {@code file:events} (the file operations as they happen, filtered by container, path
 * prefix, access kind and outcome; {@link EventQuery}, {@link EventLine}). Both print on the
 * command's thread until Ctrl-C or {@code --count}; every wrong argument is refused with one
 * line before anything is printed.
 */
@Component(service = FileCommands.class, property = {
    "osgi.command.scope=file",
    "osgi.command.function=top",
    "osgi.command.function=events"})
public final class FileCommands {

    /** What the commands read from the running tracker. */
    interface Source {
        /** Every (container, file) entry's bytes, read now. */
        List<FileUsage> usage();

        Containers containers();
    }

    /** Waits between refreshes; a test's does not. */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    /** file:top's shortest and longest --interval. */
    static final Duration MIN_INTERVAL = Duration.ofMillis(100), MAX_INTERVAL = Duration.ofHours(1);
    private static final int EVENTS_QUEUE = 16_384;

    private final Supplier<Optional<? extends Source>> tracker;
    private final Events events;
    private final Supplier<PrintStream> out;
    private final Sleeper sleeper;

    @Activate
    public FileCommands(@Reference(name = "tracker") FileTracker tracker, @Reference(name = "events") Events events) {
        this(tracker::running, events, () -> System.out, nanos -> TimeUnit.NANOSECONDS.sleep(nanos));
    }

    /**
     * @param tracker the running tracker's data, empty while it is stopped
     * @param out     where to print (read per call: the shell routes System.out per session)
     */
    FileCommands(Supplier<Optional<? extends Source>> tracker, Events events, Supplier<PrintStream> out, Sleeper sleeper) {
        this.tracker = tracker;
        this.events = events;
        this.out = out;
        this.sleeper = sleeper;
    }

    @Descriptor("files by bytes read and written, of every container or of one, refreshed every --interval")
    public void top(
            @Descriptor("one JSON object per refresh instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("time between refreshes: 500ms, 2s, 1m (100ms to 1h; default 2s)")
            @Parameter(names = {"-i", "--interval"}, absentValue = "2s") String interval,
            @Descriptor("stop after this many refreshes (default 0: until Ctrl-C)")
            @Parameter(names = {"-n", "--count"}, absentValue = "0") String count,
            @Descriptor("files shown per refresh (default 20)")
            @Parameter(names = {"-r", "--rows"}, absentValue = "20") String rows,
            @Descriptor("only files whose path starts with this")
            @Parameter(names = {"-p", "--path"}, absentValue = "") String path,
            @Descriptor("only files read from (read) or written to (write)")
            @Parameter(names = {"-k", "--kind"}, absentValue = "") String kind,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) throws InterruptedException {
        Duration every = interval(interval);
        long frames = Options.count(count);
        int limit = (int) Options.number("--rows", rows, 1, 100_000);
        Set<Kind> kinds = kind.isEmpty() ? Set.of() : Kind.parse(kind);
        if (kinds.contains(Kind.CREATE) || kinds.contains(Kind.DELETE)) {
            throw new IllegalArgumentException("file:top --kind takes read or write (creations and deletions have no bytes;"
                    + " file:events --kind shows them), not '" + Text.safe(kind) + "'");
        }
        Source source = source();
        List<FileUsage> first = source.usage();
        ContainerWord.Choice only = ContainerWord.choose(container, source.containers(), containersOf(first));
        Predicate<FileUsage> shown = u -> only.includes(u.container()) && u.path().startsWith(path)
                && (kinds.isEmpty() || (kinds.contains(Kind.READ) && u.readBytes() > 0)
                        || (kinds.contains(Kind.WRITE) && u.writeBytes() > 0));

        PrintStream print = out.get();
        Map<FileUsage.Key, FileUsage> previous = null;
        long previousAt = 0;
        for (long frame = 1; frames == 0 || frame <= frames; frame++) {
            if (frame > 1) {
                sleeper.sleep(every.toNanos());
            }
            long now = System.nanoTime();
            List<FileUsage> all = frame == 1 ? first : source.usage();
            TopFrame top = TopFrame.of(all.stream().filter(shown).toList(), previous,
                    previous == null ? 0 : (now - previousAt) / 1e9, limit);
            print.println(json ? top.json(Instant.now()) : top.text(Instant.now()));
            print.flush();
            if (print.checkError()) {
                return; // the reader went away
            }
            previous = new HashMap<>();
            for (FileUsage u : all) {
                previous.put(u.key(), u);
            }
            previousAt = now;
        }
    }

    @Descriptor("file operations (opens, creations, deletions, renames, chmod, chown) of every container or of one,"
            + " as they happen, until Ctrl-C or --count")
    public void events(
            @Descriptor("one JSON object per line")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("only operations on paths that start with this (as passed or resolved; either name of a rename)")
            @Parameter(names = {"-p", "--path"}, absentValue = "") String path,
            @Descriptor("only these kinds, comma-separated: read, write, create, delete")
            @Parameter(names = {"-k", "--kind"}, absentValue = "") String kind,
            @Descriptor("only operations that failed")
            @Parameter(names = {"-x", "--failed"}, presentValue = "true", absentValue = "false") boolean failed,
            @Descriptor("stop after this many events (default 0: until Ctrl-C)")
            @Parameter(names = {"-n", "--count"}, absentValue = "0") String count,
            @Descriptor(ContainerWord.DESCRIPTION) String... container) throws InterruptedException {
        long limit = Options.count(count);
        Set<Kind> kinds = kind.isEmpty() ? Set.of() : Kind.parse(kind);
        ContainerWord.Choice only = ContainerWord.choose(container, source().containers());
        EventFilter filter = new EventFilter(FileTracker.NAME, null, only.filterWord());
        PrintStream print = out.get();
        if (!json) {
            print.print(EventLine.TABLE.header());
        }
        try (Tail tail = events.tail("file:events", filter, new EventQuery(path, kinds, failed), EVENTS_QUEUE)) {
            TailPrinter.print(tail, limit, print, System.err, json ? EventJson::of : e -> EventLine.text((FileEvent) e));
        }
    }

    private Source source() {
        return tracker.get().orElseThrow(() -> new IllegalStateException("the file tracker is not running (tracker:start file)"));
    }

    /** The top command's --interval, from 100ms to 1h. */
    static Duration interval(String value) {
        return Options.interval(value, MIN_INTERVAL, MAX_INTERVAL);
    }

    /** The containers that have bytes counted (one core never named, that lived briefly, among them). */
    private static List<ContainerRef> containersOf(List<FileUsage> usage) {
        Map<String, ContainerRef> seen = new LinkedHashMap<>();
        for (FileUsage u : usage) {
            seen.putIfAbsent(u.container().id(), u.container());
        }
        return List.copyOf(seen.values());
    }
}
