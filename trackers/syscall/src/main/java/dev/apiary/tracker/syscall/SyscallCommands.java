package dev.apiary.tracker.syscall;

import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.EventJson;
import dev.apiary.sdk.Json;
import dev.apiary.sdk.SyscallNames;
import dev.apiary.sdk.command.ContainerWord;
import dev.apiary.sdk.command.Options;
import dev.apiary.sdk.command.Table.Column;
import dev.apiary.sdk.command.Table;
import dev.apiary.sdk.command.TailPrinter;
import dev.apiary.sdk.command.Text;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code syscall:top}, {@code syscall:counts} and {@code syscall:trace}. Every wrong argument
 * is one {@link IllegalArgumentException} line and changes nothing. The live commands print
 * on the command's thread (the shell routes System.out to the terminal or the control-socket
 * client) and end on Ctrl-C (an interrupt) or after their --count.
 */
@Component(service = SyscallCommands.class, property = {
    "osgi.command.scope=syscall",
    "osgi.command.function=top",
    "osgi.command.function=counts",
    "osgi.command.function=trace"})
public final class SyscallCommands {

    /** syscall:top's shortest and longest --interval. */
    static final Duration MIN_INTERVAL = Duration.ofMillis(100), MAX_INTERVAL = Duration.ofHours(1);
    private static final int TRACE_QUEUE = 4096;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final Table TRACE_LINE = Table.of(Column.left("TIME").width(12), Column.right("PID").min(7),
            Column.right("TID").min(7), Column.left("COMM").width(16), Column.right("USEC").min(10), Column.left("SYSCALL"));

    private final Supplier<Optional<SyscallTracker.Running>> tracker;
    private final LongSupplier clock;
    private final Supplier<PrintStream> out;

    @Activate
    public SyscallCommands(@Reference(name = "tracker") SyscallTracker tracker) {
        this(tracker::running, BootClock::nowNanos, () -> System.out);
    }

    /**
     * @param clock monotonic nanoseconds on the clock the table stamps with (CLOCK_BOOTTIME)
     * @param out   where to print (read per call: the shell routes System.out per session)
     */
    SyscallCommands(Supplier<Optional<SyscallTracker.Running>> tracker, LongSupplier clock, Supplier<PrintStream> out) {
        this.tracker = tracker;
        this.clock = clock;
        this.out = out;
    }

    @Descriptor("live syscall counts per container (cumulative and new since the last refresh, * = just happened), until Ctrl-C or --count refreshes")
    public void top(
            @Descriptor("time between refreshes: 500ms, 2s, 1m (100ms to 1h; default: the refresh_ms setting, tracker:config syscall)")
            @Parameter(names = {"-i", "--interval"}, absentValue = "") String interval,
            @Descriptor("hide the syscalls an interactive terminal makes by itself (read, write, ioctl, poll/select, rt_sig*...)")
            @Parameter(names = {"-q", "--quiet-terminal"}, presentValue = "true", absentValue = "false") boolean quiet,
            @Descriptor("stop after this many refreshes (0: until Ctrl-C)") @Parameter(names = {"-n", "--count"}, absentValue = "0") String count,
            @Descriptor("syscalls per container at most, besides those that just happened") @Parameter(names = {"-r", "--rows"}, absentValue = "12") String rows,
            @Descriptor("containers to show: names, ids, id prefixes, or 'host' (default: every container)") String... container)
            throws InterruptedException {
        Duration given = interval.isBlank() ? null : interval(interval);
        long refreshes = Options.count(count);
        int maxRows = (int) Options.number("--rows", rows, 1, 512);
        SyscallTracker.Running running = running();
        Duration every = given != null ? given : Duration.ofMillis(running.config().refresh_ms());
        ContainerWord.Choice only = ContainerWord.chooseSome(container, running.containers(), seen(running));
        PrintStream print = out.get();
        running.names().problem().ifPresent(print::println);
        if (quiet) {
            print.println("hiding terminal syscalls: " + String.join(" ", TerminalNoise.NAMES));
        }
        TopView view = new TopView(running.names(), quiet, TimeUnit.SECONDS.toNanos(running.config().top_idle_s()), maxRows);
        for (long n = 1; refreshes == 0 || n <= refreshes; n++) {
            print.print(frame(view, running, only, every));
            print.flush();
            if (print.checkError() || (refreshes != 0 && n == refreshes)) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(every.toNanos());
        }
    }

    /** One refresh of top: a heading line and the view's blocks. */
    String frame(TopView view, SyscallTracker.Running running, ContainerWord.Choice only, Duration every) {
        List<ContainerCounts> shown = running.table().snapshot().stream().filter(c -> only.includes(c.container())).toList();
        long full = running.misses().slotsFull();
        String heading = "--- syscall:top " + LocalTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS)
                + ", every " + Options.format(every) + (full > 0 ? ", " + full + " syscalls not counted (slots full)" : "")
                + " ---\n";
        return heading + view.frame(shown, clock.getAsLong());
    }

    @Descriptor("every syscall a container made since it was first seen, by count")
    public String counts(
            @Descriptor("print JSON instead of a table") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a container name, id or id prefix, or 'host'") String container) {
        SyscallTracker.Running running = running();
        ContainerRef ref = ContainerWord.choose(new String[] {container}, running.containers(), seen(running)).only();
        Optional<ContainerCounts> counts = running.table().snapshot().stream()
                .filter(c -> c.container().id().equals(ref.id())).findFirst();
        SyscallNames names = running.names();
        List<Integer> order = new ArrayList<>();
        long[] total = counts.map(ContainerCounts::total).orElse(new long[0]);
        for (int nr = 0; nr < total.length; nr++) {
            if (total[nr] > 0) {
                order.add(nr);
            }
        }
        order.sort(Comparator.<Integer>comparingLong(nr -> -total[nr]).thenComparing(names::name));
        long sum = order.stream().mapToLong(nr -> total[nr]).sum();
        if (json) {
            List<Map<String, Object>> syscalls = new ArrayList<>();
            for (int nr : order) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("nr", nr);
                s.put("name", names.name(nr));
                s.put("count", total[nr]);
                syscalls.add(s);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("container", EventJson.container(ref));
            m.put("total", sum);
            m.put("syscalls", syscalls);
            names.problem().ifPresent(p -> m.put("problem", p));
            return Json.of(m);
        }
        if (order.isEmpty()) {
            return Text.safe(ref.displayName()) + ": no syscalls counted";
        }
        Table table = Table.of(Column.left("SYSCALL"), Column.right("NR"), Column.right("COUNT"));
        for (int nr : order) {
            table.row(names.name(nr), nr, total[nr]);
        }
        StringBuilder s = new StringBuilder();
        names.problem().ifPresent(p -> s.append(p).append('\n'));
        s.append(Text.safe(ref.displayName())).append(": ").append(sum).append(" syscalls, ").append(order.size())
                .append(" kinds\n").append(table);
        return s.toString();
    }

    @Descriptor("stream one container's syscalls with their arguments and return values, rate-limited in the kernel, until Ctrl-C, --count events or --seconds")
    public void trace(
            @Descriptor("stop after this many events (0: no limit)") @Parameter(names = {"-n", "--count"}, absentValue = "0") String count,
            @Descriptor("stop after this many seconds (0: no limit)") @Parameter(names = {"-s", "--seconds"}, absentValue = "0") String seconds,
            @Descriptor("events per second per CPU at most; the rest are counted as dropped (default: the trace_rate setting, tracker:config syscall)")
            @Parameter(names = "--rate", absentValue = "") String rate,
            @Descriptor("events a CPU may send at once after a quiet time (default: the trace_burst setting, tracker:config syscall)")
            @Parameter(names = "--burst", absentValue = "") String burst,
            @Descriptor("one JSON object per line") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a running container's name, id or id prefix") String container) throws InterruptedException {
        long max = Options.count(count);
        long limitNanos = TimeUnit.SECONDS.toNanos(Options.number("--seconds", seconds, 0, 86400));
        Long givenRate = rate.isBlank() ? null : Options.number("--rate", rate, 1, 1_000_000);
        Long givenBurst = burst.isBlank() ? null : Options.number("--burst", burst, 1, 1_000_000);
        SyscallTracker.Running running = running();
        long perSecond = givenRate != null ? givenRate : running.config().trace_rate();
        long burstSize = givenBurst != null ? givenBurst : running.config().trace_burst();
        Container target = traceable(container, running);
        String who = target.ref().displayName();
        PrintStream print = out.get();
        long droppedBefore = running.misses().rateLimited();
        long[] printed = {0};
        TraceTail tail = new TraceTail(target.cgroupId(), TRACE_QUEUE, limitNanos, System::nanoTime);
        // Started before anything is printed: a second trace is refused with its one line.
        tail.session(running.trace().start(target.cgroupId(), perSecond, burstSize, who, tail));
        try (tail) {
            if (!json) {
                print.print(TRACE_LINE.header());
            }
            TailPrinter.print(tail, max, print, System.err, e -> {
                printed[0]++;
                return json ? EventJson.of(e) : row((SyscallEvent) e);
            });
        } catch (TraceTail.TimeUp e) {
            // --seconds ran out: the normal end
        } finally {
            long dropped = running.misses().rateLimited() - droppedBefore;
            print.println(printed[0] + " events"
                    + (dropped > 0 ? ", " + dropped + " dropped by the rate limit (" + perSecond + "/s per CPU)" : ""));
            print.flush();
        }
    }

    /** The running container {@code word} names, with its cgroup known. */
    private static Container traceable(String word, SyscallTracker.Running running) {
        ContainerRef ref = ContainerWord.container(word, running.containers(), List.of(),
                "syscall:trace follows one container; the host's processes are not traced");
        Container target = running.containers().list().stream().filter(c -> c.ref().id().equals(ref.id())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(Text.safe(ref.displayName()) + " is not running"));
        if (!target.running()) {
            throw new IllegalArgumentException(Text.safe(ref.displayName()) + " is not running");
        }
        if (target.cgroupId() == 0) {
            throw new IllegalArgumentException("the cgroup of " + Text.safe(ref.displayName())
                    + " is not known yet; try again in a moment");
        }
        return target;
    }

    private static String row(SyscallEvent e) {
        return TRACE_LINE.line(CLOCK.format(BootClock.toInstant(e.header().tsNanos())), e.header().pid(), e.header().tid(),
                e.header().comm(), String.format(Locale.ROOT, "%.1f", e.durationNs() / 1000.0), e.line());
    }

    /** The top command's --interval, from 100ms to 1h. */
    static Duration interval(String value) {
        return Options.interval(value, MIN_INTERVAL, MAX_INTERVAL);
    }

    /** The containers the table has counts of (one core never named, that lived briefly, among them). */
    private static Collection<ContainerRef> seen(SyscallTracker.Running running) {
        return running.table().snapshot().stream().map(ContainerCounts::container).toList();
    }

    private SyscallTracker.Running running() {
        return tracker.get().orElseThrow(() -> new IllegalStateException("the syscall tracker is not running (tracker:start syscall)"));
    }
}
