package dev.apiary.tracker.syscall;

import dev.apiary.sdk.Json;
import dev.apiary.bpf.BootClock;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import dev.apiary.sdk.EventSubscriber;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

    /** How long an idle container stays in syscall:top. */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int TRACE_QUEUE = 4096;

    private final Supplier<Optional<SyscallTracker.Running>> tracker;
    private final LongSupplier clock;

    @Activate
    public SyscallCommands(@Reference(name = "tracker") SyscallTracker tracker) {
        this(tracker::running, BootClock::nowNanos);
    }

    /** @param clock monotonic nanoseconds on the clock the table stamps with (CLOCK_BOOTTIME) */
    SyscallCommands(Supplier<Optional<SyscallTracker.Running>> tracker, LongSupplier clock) {
        this.tracker = tracker;
        this.clock = clock;
    }

    @Descriptor("live syscall counts per container (cumulative and new since the last refresh, * = just happened), until Ctrl-C or --count refreshes")
    public void top(
            @Descriptor("seconds between refreshes (0.1 to 3600)") @Parameter(names = {"-i", "--interval"}, absentValue = "1") String interval,
            @Descriptor("hide the syscalls an interactive terminal makes by itself (read, write, ioctl, poll/select, rt_sig*...)")
            @Parameter(names = {"-q", "--quiet-terminal"}, presentValue = "true", absentValue = "false") boolean quiet,
            @Descriptor("stop after this many refreshes (0: until Ctrl-C)") @Parameter(names = {"-n", "--count"}, absentValue = "0") String count,
            @Descriptor("syscalls per container at most, besides those that just happened") @Parameter(names = {"-r", "--rows"}, absentValue = "12") String rows,
            @Descriptor("containers to show (names, ids, id prefixes, or host); none: every container") String... containers)
            throws InterruptedException {
        double seconds = number("--interval", interval, 0.1, 3600);
        long refreshes = whole("--count", count, 0, Long.MAX_VALUE);
        int maxRows = (int) whole("--rows", rows, 1, 512);
        SyscallTracker.Running running = running();
        List<ContainerRef> only = new ArrayList<>();
        for (String word : containers == null ? new String[0] : containers) {
            only.add(resolve(word, running));
        }
        PrintStream out = System.out;
        running.names().problem().ifPresent(out::println);
        if (quiet) {
            out.println("hiding terminal syscalls: " + String.join(" ", TerminalNoise.NAMES));
        }
        TopView view = new TopView(running.names(), quiet, GRACE_NANOS, maxRows);
        long sleepNanos = (long) (seconds * 1e9);
        for (long n = 1; refreshes == 0 || n <= refreshes; n++) {
            out.print(frame(view, running, only, seconds));
            out.flush();
            if (out.checkError() || (refreshes != 0 && n == refreshes)) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(sleepNanos);
        }
    }

    /** One refresh of top: a heading line and the view's blocks. */
    String frame(TopView view, SyscallTracker.Running running, List<ContainerRef> only, double seconds) {
        List<ContainerCounts> shown = running.table().snapshot().stream()
                .filter(c -> only.isEmpty() || only.stream().anyMatch(o -> o.id().equals(c.container().id())))
                .toList();
        String heading = String.format("--- syscall:top %s, every %ss%s ---%n",
                LocalTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS), trim(seconds),
                running.misses().slotsFull() > 0 ? ", " + running.misses().slotsFull() + " syscalls not counted (slots full)" : "");
        return heading + view.frame(shown, clock.getAsLong());
    }

    @Descriptor("every syscall a container made since it was first seen, by count")
    public String counts(
            @Descriptor("print JSON instead of a table") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a container name, id, id prefix (3+ characters), or host") String container) {
        SyscallTracker.Running running = running();
        ContainerRef ref = resolve(container, running);
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
            StringBuilder s = new StringBuilder("{\"container\":{\"id\":").append(Json.string(ref.id()))
                    .append(",\"name\":").append(Json.string(ref.name())).append("},\"total\":").append(sum)
                    .append(",\"syscalls\":[");
            for (int i = 0; i < order.size(); i++) {
                int nr = order.get(i);
                s.append(i == 0 ? "" : ",").append("{\"nr\":").append(nr).append(",\"name\":")
                        .append(Json.string(names.name(nr))).append(",\"count\":").append(total[nr]).append('}');
            }
            s.append(']');
            names.problem().ifPresent(p -> s.append(",\"problem\":").append(Json.string(p)));
            return s.append('}').toString();
        }
        if (order.isEmpty()) {
            return ref.displayName() + ": no syscalls counted";
        }
        StringBuilder s = new StringBuilder();
        names.problem().ifPresent(p -> s.append(p).append('\n'));
        s.append(ref.displayName()).append(": ").append(sum).append(" syscalls, ").append(order.size()).append(" kinds\n");
        s.append(String.format("  %-22s %5s %14s%n", "SYSCALL", "NR", "COUNT"));
        for (int nr : order) {
            s.append(String.format("  %-22s %5d %14d%n", names.name(nr), nr, total[nr]));
        }
        return s.toString();
    }

    @Descriptor("stream one container's syscalls with their arguments and return values, rate-limited in the kernel, until Ctrl-C, --count events or --seconds")
    public void trace(
            @Descriptor("stop after this many events (0: no limit)") @Parameter(names = {"-n", "--count"}, absentValue = "0") String count,
            @Descriptor("stop after this many seconds (0: no limit)") @Parameter(names = {"-s", "--seconds"}, absentValue = "0") String seconds,
            @Descriptor("events per second per CPU at most; the rest are counted as dropped") @Parameter(names = "--rate", absentValue = "1000") String rate,
            @Descriptor("events a CPU may send at once after a quiet time") @Parameter(names = "--burst", absentValue = "100") String burst,
            @Descriptor("one JSON object per line") @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("a running container's name, id or id prefix") String container) throws InterruptedException {
        long max = whole("--count", count, 0, Long.MAX_VALUE);
        long limitNanos = (long) (number("--seconds", seconds, 0, 86400) * 1e9);
        long perSecond = whole("--rate", rate, 1, 1_000_000);
        long burstSize = whole("--burst", burst, 1, 1_000_000);
        SyscallTracker.Running running = running();
        Container target = running.containers().find(container).filter(Container::running).orElseThrow(() ->
                new IllegalArgumentException("no running container named '" + container
                        + "' (give a name, an id or an id prefix; apiary:containers lists them)"));
        if (target.cgroupId() == 0) {
            throw new IllegalArgumentException("the cgroup of " + target.ref().displayName() + " is not known yet; try again in a moment");
        }
        BlockingQueue<SyscallEvent> queue = new ArrayBlockingQueue<>(TRACE_QUEUE);
        AtomicLong missed = new AtomicLong();
        EventFilter filter = new EventFilter(SyscallTracker.NAME, SyscallEvent.TYPE, null);
        long cgroup = target.cgroupId();
        EventSubscriber sub = new EventSubscriber() {
            @Override
            public void onEvent(Event e) {
                if (e instanceof SyscallEvent s && s.header().cgroupId() == cgroup && !queue.offer(s)) {
                    missed.incrementAndGet();
                }
            }

            @Override
            public EventFilter filter() {
                return filter;
            }
        };
        PrintStream out = System.out;
        long droppedBefore = running.misses().rateLimited();
        long printed = 0, start = System.nanoTime();
        try (AutoCloseable t = running.trace().start(cgroup, perSecond, burstSize, target.ref().displayName(), sub)) {
            if (!json) {
                out.println(String.format("%-12s  %7s  %7s  %-16s  %10s  %s", "TIME", "PID", "TID", "COMM", "USEC", "SYSCALL"));
            }
            while ((max == 0 || printed < max) && (limitNanos == 0 || System.nanoTime() - start < limitNanos)) {
                SyscallEvent e = queue.poll(100, TimeUnit.MILLISECONDS);
                if (e == null) {
                    out.flush();
                    if (out.checkError()) {
                        return;
                    }
                    continue;
                }
                out.println(json ? json(e) : row(e));
                printed++;
            }
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            long dropped = running.misses().rateLimited() - droppedBefore;
            out.println(printed + " events" + (dropped > 0 ? ", " + dropped + " dropped by the rate limit (" + perSecond + "/s per CPU)" : "")
                    + (missed.get() > 0 ? ", " + missed.get() + " not printed (the terminal could not keep up)" : ""));
            out.flush();
        }
    }

    private static String row(SyscallEvent e) {
        LocalTime t = LocalTime.ofInstant(BootClock.toInstant(e.header().tsNanos()), ZoneId.systemDefault());
        return String.format("%-12s  %7d  %7d  %-16s  %10.1f  %s", t.truncatedTo(ChronoUnit.MILLIS), e.header().pid(),
                e.header().tid(), e.header().comm(), e.durationNs() / 1000.0, e.line());
    }

    private static String json(SyscallEvent e) {
        Instant t = BootClock.toInstant(e.header().tsNanos());
        StringBuilder s = new StringBuilder("{\"time\":").append(Json.string(t.toString()))
                .append(",\"pid\":").append(e.header().pid()).append(",\"tid\":").append(e.header().tid())
                .append(",\"comm\":").append(Json.string(e.header().comm()))
                .append(",\"container\":").append(Json.string(e.container().displayName()))
                .append(",\"nr\":").append(e.nr()).append(",\"name\":").append(Json.string(e.name())).append(",\"args\":[");
        for (int i = 0; i < e.args().size(); i++) {
            s.append(i == 0 ? "" : ",").append(Long.toUnsignedString(e.args().get(i)));
        }
        return s.append("],\"ret\":").append(e.ret()).append(",\"durationNs\":").append(e.durationNs()).append('}').toString();
    }

    private SyscallTracker.Running running() {
        return tracker.get().orElseThrow(() -> new IllegalStateException("the syscall tracker is not running (tracker:start syscall)"));
    }

    /**
     * The container a user's word names: one with counts first, then any container core knows.
     *
     * @throws IllegalArgumentException when none has that name or id
     */
    static ContainerRef resolve(String word, SyscallTracker.Running running) {
        if (ContainerRef.HOST_ID.equals(word)) {
            return ContainerRef.HOST;
        }
        return running.table().snapshot().stream().map(ContainerCounts::container).filter(c -> c.matches(word)).findFirst()
                .or(() -> running.containers().find(word).map(Container::ref))
                .orElseThrow(() -> new IllegalArgumentException("no container named '" + word
                        + "' (give a name, an id or an id prefix; apiary:containers lists them)"));
    }

    private static double number(String option, String text, double min, double max) {
        double v;
        try {
            v = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not '" + text + "'");
        }
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException(option + " must be from " + trim(min) + " to " + trim(max) + ", not " + text);
        }
        return v;
    }

    private static long whole(String option, String text, long min, long max) {
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, not '" + text + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(option + " must be from " + min + " to " + max + ", not " + text);
        }
        return v;
    }

    private static String trim(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
