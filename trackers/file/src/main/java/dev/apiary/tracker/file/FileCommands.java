package dev.apiary.tracker.file;

import dev.apiary.sdk.Json;
import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Subscription;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code file:top} (files by bytes read and written, refreshed) and {@code file:events} (the
 * file operations as they happen, filtered by container, path prefix, access kind and
 * outcome). Both print on the command's thread until Ctrl-C or {@code --count}; every wrong
 * argument is refused with one line before anything is printed.
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

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final int EVENTS_QUEUE = 16_384;
    private static final EventFilter OWN_EVENTS = new EventFilter(FileTracker.NAME, null, null);

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

    // ---- file:top ---------------------------------------------------------------------

    @Descriptor("files by bytes read and written, per container, refreshed every --interval seconds")
    public void top(
            @Descriptor("one JSON object per refresh instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("seconds between refreshes (default 2)")
            @Parameter(names = {"-i", "--interval"}, absentValue = "2") String interval,
            @Descriptor("stop after this many refreshes (default 0: until Ctrl-C)")
            @Parameter(names = {"-n", "--count"}, absentValue = "0") String count,
            @Descriptor("files shown per refresh (default 20)")
            @Parameter(names = {"-r", "--rows"}, absentValue = "20") String rows,
            @Descriptor("only files whose path starts with this")
            @Parameter(names = {"-p", "--path"}, absentValue = "") String path,
            @Descriptor("only files read from (read) or written to (write)")
            @Parameter(names = {"-k", "--kind"}, absentValue = "") String kind) throws InterruptedException {
        top(json, interval, count, rows, path, kind, "");
    }

    @Descriptor("one container's files by bytes read and written, refreshed every --interval seconds")
    public void top(
            @Descriptor("one JSON object per refresh instead of a table")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("seconds between refreshes (default 2)")
            @Parameter(names = {"-i", "--interval"}, absentValue = "2") String interval,
            @Descriptor("stop after this many refreshes (default 0: until Ctrl-C)")
            @Parameter(names = {"-n", "--count"}, absentValue = "0") String count,
            @Descriptor("files shown per refresh (default 20)")
            @Parameter(names = {"-r", "--rows"}, absentValue = "20") String rows,
            @Descriptor("only files whose path starts with this")
            @Parameter(names = {"-p", "--path"}, absentValue = "") String path,
            @Descriptor("only files read from (read) or written to (write)")
            @Parameter(names = {"-k", "--kind"}, absentValue = "") String kind,
            @Descriptor("a container name, id, id prefix (3+ characters), or 'host'") String container)
            throws InterruptedException {
        double seconds = parseSeconds(interval);
        long frames = parseCount(count);
        int limit = parseRows(rows);
        Set<Kind> kinds = kind.isEmpty() ? Set.of() : Kind.parse(kind);
        if (kinds.contains(Kind.CREATE) || kinds.contains(Kind.DELETE)) {
            throw new IllegalArgumentException("file:top --kind takes read or write (creations and deletions have no bytes;"
                    + " file:events --kind shows them), not '" + kind + "'");
        }
        Source source = source();
        Optional<ContainerRef> only = container.isEmpty() ? Optional.empty() : Optional.of(resolve(container, source.containers()));
        Predicate<FileUsage> shown = u -> only.map(c -> c.id().equals(u.container().id())).orElse(true)
                && u.path().startsWith(path)
                && (kinds.isEmpty() || (kinds.contains(Kind.READ) && u.readBytes() > 0)
                        || (kinds.contains(Kind.WRITE) && u.writeBytes() > 0));

        PrintStream print = out.get();
        Map<FileUsage.Key, FileUsage> previous = null;
        long previousAt = 0;
        for (long frame = 1; frames == 0 || frame <= frames; frame++) {
            if (frame > 1) {
                sleeper.sleep((long) (seconds * 1e9));
            }
            long now = System.nanoTime();
            List<FileUsage> all = source.usage();
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

    // ---- file:events ------------------------------------------------------------------

    @Descriptor("file operations as they happen (opens, creations, deletions, renames, chmod, chown), until Ctrl-C or --count")
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
            @Parameter(names = {"-n", "--count"}, absentValue = "0") String count) throws InterruptedException {
        events(json, path, kind, failed, count, "");
    }

    @Descriptor("one container's file operations as they happen, until Ctrl-C or --count")
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
            @Descriptor("a container name, id, id prefix (3+ characters), or 'host'") String container)
            throws InterruptedException {
        long limit = parseCount(count);
        Set<Kind> kinds = kind.isEmpty() ? Set.of() : Kind.parse(kind);
        Source source = source();
        Optional<ContainerRef> only = container.isEmpty() ? Optional.empty() : Optional.of(resolve(container, source.containers()));
        Predicate<FileEvent> shown = EventQuery.of(only, path, kinds, failed);

        BlockingQueue<FileEvent> queue = new ArrayBlockingQueue<>(EVENTS_QUEUE);
        AtomicLong missed = new AtomicLong();
        EventSubscriber tail = new EventSubscriber() {
            @Override
            public void onEvent(Event event) {
                // Filtered on the subscriber's thread: only what will be printed is queued.
                if (event instanceof FileEvent f && shown.test(f) && !queue.offer(f)) {
                    missed.incrementAndGet();
                }
            }

            @Override
            public EventFilter filter() {
                return OWN_EVENTS;
            }

            @Override
            public int queueCapacity() {
                return EVENTS_QUEUE;
            }
        };
        PrintStream print = out.get();
        if (!json) {
            print.println(EventLine.HEADER);
        }
        long printed = 0;
        try (Subscription sub = events.subscribe("file:events", tail)) {
            while (limit == 0 || printed < limit) {
                FileEvent e = queue.poll(200, TimeUnit.MILLISECONDS);
                if (e == null) {
                    print.flush();
                    if (print.checkError()) {
                        return;
                    }
                    continue;
                }
                print.println(json ? EventLine.json(e) : EventLine.text(e));
                printed++;
            }
        } finally {
            print.flush();
            if (missed.get() > 0) {
                System.err.println(missed.get() + " events were not printed: the terminal could not keep up");
            }
        }
    }

    // ---- arguments --------------------------------------------------------------------

    private Source source() {
        return tracker.get().orElseThrow(() -> new IllegalStateException("the file tracker is not running (tracker:start file)"));
    }

    /** @throws IllegalArgumentException when no container has that name or id */
    static ContainerRef resolve(String word, Containers containers) {
        if (word.equals(ContainerRef.HOST_ID)) {
            return ContainerRef.HOST;
        }
        return containers.find(word).map(Container::ref).orElseThrow(() -> new IllegalArgumentException(
                "no container named '" + word + "' (give a name, an id or an id prefix; apiary:containers lists them)"));
    }

    static double parseSeconds(String word) {
        double s;
        try {
            s = Double.parseDouble(word.trim());
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        if (!(s >= 0.1 && s <= 3600)) {
            throw new IllegalArgumentException("--interval must be a number of seconds from 0.1 to 3600, not '" + word + "'");
        }
        return s;
    }

    static long parseCount(String word) {
        try {
            long n = Long.parseLong(word.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("--count must be 0 (until Ctrl-C) or a positive whole number, not '" + word + "'");
    }

    static int parseRows(String word) {
        try {
            int n = Integer.parseInt(word.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("--rows must be a whole number of 1 or more, not '" + word + "'");
    }

    // ---- output -----------------------------------------------------------------------

    /** One refresh of file:top: the files shown, each with what changed since the previous refresh. */
    record TopFrame(List<Row> rows, int matching, double seconds) {

        record Row(FileUsage usage, long readDelta, long writeDelta) {}

        /**
         * @param previous the entries of the previous refresh, null for the first
         * @param seconds  since the previous refresh
         */
        static TopFrame of(List<FileUsage> usage, Map<FileUsage.Key, FileUsage> previous, double seconds, int limit) {
            List<Row> rows = new ArrayList<>(usage.size());
            for (FileUsage u : usage) {
                FileUsage before = previous == null ? null : previous.get(u.key());
                // An entry the kernel evicted and made again counts from 0: never show a negative change.
                long r = before == null ? u.readBytes() : Math.max(0, u.readBytes() - before.readBytes());
                long w = before == null ? u.writeBytes() : Math.max(0, u.writeBytes() - before.writeBytes());
                rows.add(new Row(u, r, w));
            }
            rows.sort(Comparator.comparingLong((Row x) -> x.readDelta() + x.writeDelta()).reversed()
                    .thenComparing(Comparator.comparingLong((Row x) -> x.usage().totalBytes()).reversed())
                    .thenComparing(x -> x.usage().path()));
            return new TopFrame(rows.subList(0, Math.min(limit, rows.size())), rows.size(), previous == null ? 0 : seconds);
        }

        String text(Instant now) {
            StringBuilder sb = new StringBuilder();
            sb.append(CLOCK.format(now)).append("  ").append(matching).append(matching == 1 ? " file" : " files")
                    .append(rows.size() < matching ? ", top " + rows.size() : "")
                    .append(seconds == 0 ? "; bytes since the tracker started"
                            : String.format("; bytes in total and per second over the last %.1f s", seconds))
                    .append('\n');
            if (rows.isEmpty()) {
                return sb.append("no file read or written").toString();
            }
            sb.append(String.format("%-16s %10s %10s %10s %10s  %s%n", "CONTAINER", "READ", "WRITE", "READ/S", "WRITE/S", "FILE"));
            for (Row r : rows) {
                FileUsage u = r.usage();
                sb.append(String.format("%-16s %10s %10s %10s %10s  %s%n", truncate(u.container().displayName(), 16),
                        bytes(u.readBytes()), bytes(u.writeBytes()), rate(r.readDelta()), rate(r.writeDelta()),
                        (u.pathCut() ? "..." : "") + u.path()));
            }
            sb.setLength(sb.length() - 1);
            return sb.toString();
        }

        String json(Instant now) {
            List<Map<String, Object>> files = new ArrayList<>();
            for (Row r : rows) {
                FileUsage u = r.usage();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("container", Map.of("id", u.container().id(), "name", u.container().name()));
                m.put("path", u.path());
                m.put("path_cut", u.pathCut());
                m.put("dev", u.device());
                m.put("ino", u.ino());
                m.put("read_bytes", u.readBytes());
                m.put("write_bytes", u.writeBytes());
                m.put("reads", u.reads());
                m.put("writes", u.writes());
                m.put("read_bytes_per_s", seconds == 0 ? null : Math.round(r.readDelta() / seconds));
                m.put("write_bytes_per_s", seconds == 0 ? null : Math.round(r.writeDelta() / seconds));
                files.add(m);
            }
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("time", now.toString());
            frame.put("interval_s", seconds == 0 ? null : seconds);
            frame.put("matching", matching);
            frame.put("files", files);
            return Json.of(frame);
        }

        private String rate(long delta) {
            return seconds == 0 ? "-" : bytes(Math.round(delta / seconds));
        }
    }

    /** Which events file:events prints. */
    record EventQuery(Optional<ContainerRef> container, String pathPrefix, Set<Kind> kinds, boolean failedOnly)
            implements Predicate<FileEvent> {

        static EventQuery of(Optional<ContainerRef> container, String pathPrefix, Set<Kind> kinds, boolean failedOnly) {
            return new EventQuery(container, pathPrefix, Set.copyOf(kinds), failedOnly);
        }

        @Override
        public boolean test(FileEvent e) {
            if (container.isPresent() && !container.get().id().equals(e.container().id())) {
                return false;
            }
            if (failedOnly && e.succeeded()) {
                return false;
            }
            if (!kinds.isEmpty() && kinds.stream().noneMatch(e::is)) {
                return false;
            }
            return pathPrefix.isEmpty() || e.paths().stream().anyMatch(p -> !p.isEmpty() && p.startsWith(pathPrefix));
        }
    }

    /** How file:events prints one event. */
    static final class EventLine {

        static final String HEADER = String.format("%-12s  %-16s %7s  %-16s %-6s %-18s %-7s %-26s %s", "TIME", "CONTAINER",
                "PID", "COMM", "OP", "KINDS", "RESULT", "FLAGS", "PATH");

        private EventLine() {
        }

        static String text(FileEvent e) {
            String result = e.succeeded() ? String.valueOf(e.ret()) : e.error();
            String flags = e.flags() + (e.mode().isEmpty() ? "" : (e.flags().isEmpty() ? "" : " ") + e.mode())
                    + (e.newUid() != -1 || e.newGid() != -1 ? " " + e.newUid() + ":" + e.newGid() : "");
            String path = shown(e.path(), e.resolvedPath());
            if (!e.newPath().isEmpty()) {
                path += " -> " + shown(e.newPath(), e.resolvedNewPath());
            }
            return String.format("%-12s  %-16s %7d  %-16s %-6s %-18s %-7s %-26s %s",
                    CLOCK.format(BootClock.toInstant(e.header().tsNanos())), truncate(e.container().displayName(), 16),
                    e.header().pid(), e.header().comm(), e.type(), String.join(",", e.kinds()), result, flags.strip(), path);
        }

        /** The resolved path when known, else the path as passed. */
        private static String shown(String given, String resolved) {
            return resolved.isEmpty() ? given : resolved;
        }

        static String json(FileEvent e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", BootClock.toInstant(e.header().tsNanos()).toString());
            m.put("tracker", e.tracker());
            m.put("type", e.type());
            m.put("container", Map.of("id", e.container().id(), "name", e.container().name()));
            m.put("pid", e.header().pid());
            m.put("tid", e.header().tid());
            m.put("uid", e.header().uid());
            m.put("comm", e.header().comm());
            for (Map.Entry<String, Object> f : e.fields().entrySet()) {
                m.put(snakeCase(f.getKey()), f.getValue());
            }
            return Json.of(m);
        }
    }

    static String snakeCase(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 4);
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('_').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** 0 B, 512 B, 1.5 KiB, 3.2 MiB, 1.0 GiB. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
