package dev.apiary.sink.report;

import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerLimits;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.ContainerStop;
import dev.apiary.sdk.ContainerTallies;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.RuntimeProcesses;
import dev.apiary.sdk.Subscription;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report sink: keeps what each container did from the events of the exec, file, tcp and
 * namespace trackers ({@link ContainerActivity}), and writes it as a {@link Report} when the
 * container stops and whenever asked ({@code report:write}). Configured by {@link Config}
 * (PID {@link #PID}, {@code conf/dev.apiary.sink.report.cfg}).
 *
 * <p>Events arrive on the sink's own subscriber thread (a bounded queue: in a storm it drops
 * and counts, it never slows the dispatcher); stops on core's container thread; reports are
 * written on the sink's writer thread or the caller's. A failed write is logged (or thrown to
 * the command) and everything else goes on.
 */
@Component(service = ReportSink.class, configurationPid = ReportSink.PID, immediate = true)
@Designate(ocd = ReportSink.Config.class)
public final class ReportSink implements EventSubscriber {

    public static final String PID = "dev.apiary.sink.report";
    private static final Logger LOG = LoggerFactory.getLogger(ReportSink.class);

    @ObjectClassDefinition(id = PID, name = "report sink",
            description = "Per-container behaviour reports (JSON and CSV), written when a container stops and on demand")
    public @interface Config {
        @AttributeDefinition(description = "Where reports are written, one folder per container (<name>-<id12>)")
        String folder() default "/var/lib/apiary/reports";

        @AttributeDefinition(description = "Whether a report is written when a container stops")
        boolean on_stop() default true;

        @AttributeDefinition(description = "What a stop writes: json, csv or all")
        String formats() default "all";

        @AttributeDefinition(description = "Milliseconds between a container's stop and its report, for its last events"
                + " to arrive (at least the syscall tracker's refresh)", min = "0", max = "60000")
        int grace_ms() default 2000;

        @AttributeDefinition(description = "Seconds a stopped container's activity is kept for report:show and"
                + " report:write after its report", min = "0", max = "86400")
        int keep_s() default 600;

        @AttributeDefinition(description = "Containers kept at once; past it the longest-stopped (else the longest-quiet)"
                + " one is forgotten", min = "1", max = "100000")
        int max_containers() default 256;

        @AttributeDefinition(description = "Processes kept per container; more are counted as omitted", min = "1",
                max = "1000000")
        int max_processes() default 4096;

        @AttributeDefinition(description = "Execs kept per process", min = "1", max = "10000")
        int max_execs_per_process() default 16;

        @AttributeDefinition(description = "Distinct file paths kept per container", min = "1", max = "1000000")
        int max_files() default 4096;

        @AttributeDefinition(description = "Distinct remote endpoints kept per container", min = "1", max = "100000")
        int max_connections() default 1024;

        @AttributeDefinition(description = "Listening sockets kept per container", min = "1", max = "100000")
        int max_listening() default 256;

        @AttributeDefinition(description = "Distinct peers kept per listening socket", min = "1", max = "100000")
        int max_peers() default 64;

        @AttributeDefinition(description = "Events that may wait for the sink before new ones are dropped (counted"
                + " in apiary:stats)", min = "1024", max = "1048576")
        int queue() default 65536;
    }

    /** One container the sink knows: its activity, what the kernel said, its stop and last report. */
    static final class Tracked {
        final ContainerActivity activity;
        volatile KernelFacts facts = KernelFacts.NONE;
        int factsTries; // subscriber thread only
        volatile ContainerStop stop;
        volatile Path lastFolder; // where its last report went, null before one

        Tracked(ContainerActivity activity) {
            this.activity = activity;
        }
    }

    private volatile Config config;
    private volatile Limits limits;
    private final Containers containers;
    private final Path proc;
    private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("apiary-report-writer").factory());
    private final Subscription subscription;
    private final AutoCloseable stops;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ContainerTallies> tallies = List.of();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ContainerLimits limitsSource;

    /**
     * Framework property (or system property, {@code -Dapiary.reports=DIR} in APIARY_JAVA_OPTS)
     * that overrides {@link Config#folder()} for the runtime's whole life: the tests' runtimes
     * write into their own folders, never the machine's /var/lib/apiary.
     */
    public static final String FOLDER_PROPERTY = "apiary.reports";

    private volatile String folderOverride;

    @Activate
    public ReportSink(@Reference(name = "events") Events events, @Reference(name = "containers") Containers containers,
            Config config, org.osgi.framework.BundleContext context) {
        this(events, containers, config, Path.of("/proc"));
        String chosen = context.getProperty(FOLDER_PROPERTY);
        folderOverride = chosen == null || chosen.isBlank() ? null : chosen.strip();
    }

    /** As the component, with where /proc is (tests). */
    ReportSink(Events events, Containers containers, Config config, Path proc) {
        apply(config);
        this.containers = containers;
        this.proc = proc;
        this.subscription = events.subscribe("report", this);
        this.stops = containers.onStop(this::stopped);
    }

    /**
     * New settings take effect without losing what was seen: bounds apply to containers seen
     * from now on, the folder and the stop settings to the next stop; {@code queue} only at the
     * next start of the sink.
     *
     * @throws IllegalArgumentException for a wrong {@code formats}; the old settings stay
     */
    @Modified
    void apply(Config changed) {
        ReportFiles.Format.parse(changed.formats()); // a wrong setting is refused with its message
        Limits bounds = new Limits(changed.max_processes(), changed.max_execs_per_process(), changed.max_files(),
                changed.max_connections(), changed.max_listening(), changed.max_peers());
        this.limits = bounds;
        this.config = changed;
    }

    /** For tests: the tallies DS would inject. */
    void tallies(List<ContainerTallies> t) {
        tallies = List.copyOf(t);
    }

    /** For tests: the limits DS would inject. */
    void limits(ContainerLimits l) {
        limitsSource = l;
    }

    @Deactivate
    void deactivate() {
        subscription.close();
        try {
            stops.close();
        } catch (Exception e) {
            LOG.debug("closing the stop listener: {}", e.toString());
        }
        writer.shutdownNow();
    }

    @Override
    public int queueCapacity() {
        return config.queue();
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public void onEvent(Event event) {
        ContainerRef ref = event.container();
        if (ref.isHost()) {
            return; // reports are per container
        }
        String tracker, type;
        try {
            tracker = event.tracker();
            type = event.type();
        } catch (IllegalStateException e) {
            return; // its tracker stopped while the event waited in the queue
        }
        Tracked t = tracked.get(ref.id());
        if (t == null) {
            t = track(ref);
        }
        t.activity.add(event, tracker, type);
        if (!t.facts.complete() && t.factsTries < FACTS_TRIES && !RuntimeProcesses.isSetup(event.header().comm())) {
            // The workload's first events: its namespaces are final and its process likely still there.
            t.factsTries++;
            KernelFacts read = KernelFacts.read(event.header().pid(), proc, limitsSource);
            t.facts = read.known() ? read : KernelFacts.of(event.header(), proc);
        }
    }

    /** Workload events whose process the sink tries to read namespaces and limits through. */
    private static final int FACTS_TRIES = 8;

    private Tracked track(ContainerRef ref) {
        if (tracked.size() >= config.max_containers()) {
            forgetOne();
        }
        return tracked.computeIfAbsent(ref.id(), id -> new Tracked(new ContainerActivity(ref, limits)));
    }

    /** The longest-stopped container, else the one quiet the longest, is forgotten to make room. */
    private void forgetOne() {
        tracked.entrySet().stream()
                .min(Comparator.<Map.Entry<String, Tracked>>comparingInt(e -> e.getValue().stop == null ? 1 : 0)
                        .thenComparing(e -> e.getValue().stop == null ? Instant.MAX : e.getValue().stop.at())
                        .thenComparingLong(e -> e.getValue().activity.lastEventNanos()))
                .ifPresent(e -> {
                    tracked.remove(e.getKey());
                    LOG.info("report: forgot {} to stay within max_containers={}",
                            e.getValue().activity.ref().displayName(), config.max_containers());
                });
    }

    /** Reads namespaces and limits again while the container runs (a limit may have changed). */
    private void refreshFacts(Tracked t, String id) {
        containers.find(id).filter(c -> c.running() && c.pid() > 0).map(c -> KernelFacts.read(c.pid(), proc, limitsSource))
                .filter(KernelFacts::known).ifPresent(f -> t.facts = f);
    }

    // ---- stops ------------------------------------------------------------------------------

    private void stopped(ContainerStop stop) {
        ContainerRef ref = stop.container().ref();
        if (ref.isHost()) {
            return;
        }
        Tracked t = tracked.computeIfAbsent(ref.id(), id -> new Tracked(new ContainerActivity(ref, limits)));
        t.stop = stop;
        if (config.on_stop()) {
            writer.schedule(() -> writeOnStop(ref), config.grace_ms(), TimeUnit.MILLISECONDS);
        }
        writer.schedule(() -> forgetIfStillStopped(ref.id(), stop), config.grace_ms() + config.keep_s() * 1000L,
                TimeUnit.MILLISECONDS);
    }

    private void writeOnStop(ContainerRef ref) {
        try {
            List<Path> files = write(ref.id(), "stopped", ReportFiles.Format.parse(config.formats()), folder());
            LOG.info("report of {} written: {}", ref.displayName(), files.isEmpty() ? "" : files.getFirst().getParent());
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write the report of {} into {}: {}", ref.displayName(), folder(), describe(e));
        }
    }

    private void forgetIfStillStopped(String id, ContainerStop stop) {
        tracked.computeIfPresent(id, (k, t) -> t.stop == stop ? null : t);
    }

    /** An I/O error as one line: the file system's reason first ("No space left on device"). */
    static String describe(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() == null ? "" : ": " + f.getFile());
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    // ---- views ------------------------------------------------------------------------------

    /** A container the sink knows, for report:list. */
    record Known(ContainerRef ref, boolean stopped, long events, int processes, int files, int connections,
            Path lastFolder) {}

    /** Every container the sink knows, most recently active first. */
    List<Known> known() {
        List<Known> out = new ArrayList<>();
        for (Tracked t : tracked.values()) {
            ContainerActivity.Snapshot s = t.activity.snapshot();
            out.add(new Known(s.ref(), t.stop != null, s.observed().events(), s.processes().size(), s.files().size(),
                    s.network().connections().size(), t.lastFolder));
        }
        out.sort(Comparator.comparing(Known::stopped).thenComparing(k -> k.ref().displayName()));
        return out;
    }

    /** Whether the sink has activity of the container. */
    boolean knows(String id) {
        return tracked.containsKey(id);
    }

    /** The containers the sink has activity of: for the command kit's container word. */
    List<ContainerRef> refs() {
        return tracked.values().stream().map(t -> t.activity.ref()).toList();
    }

    /**
     * The report of a container now.
     *
     * @param reason "stopped" or "asked"
     * @return empty when the sink knows nothing of it
     */
    Optional<Report> report(String id, String reason) {
        Tracked t = tracked.get(id);
        if (t == null) {
            return Optional.empty();
        }
        refreshFacts(t, id);
        return Optional.of(build(t, reason));
    }

    /**
     * Writes a container's report into {@code root}'s folder for it.
     *
     * @return the files written
     * @throws IllegalArgumentException when the sink knows nothing of the container
     * @throws IOException the file system's error; no file is left half-written
     */
    List<Path> write(String id, String reason, ReportFiles.Format format, Path root) throws IOException {
        Tracked t = tracked.get(id);
        if (t == null) {
            throw new IllegalArgumentException("no activity of container " + id + " is known");
        }
        refreshFacts(t, id);
        Report r = build(t, reason);
        Path folder = ReportFiles.folderOf(root, t.activity.ref());
        List<Path> files = ReportFiles.write(r, folder, format);
        t.lastFolder = folder;
        return files;
    }

    private Report build(Tracked t, String reason) {
        ContainerActivity.Snapshot s = t.activity.snapshot();
        ContainerRef ref = s.ref();
        Optional<Container> now = containers.find(ref.id());
        ContainerStop stop = t.stop;
        boolean running = now.map(Container::running).orElse(false) && stop == null;
        Instant started = now.map(Container::started).orElse(stop == null ? null : stop.container().started());
        Report.Identity id = new Report.Identity(ref.id(), ref.name(), ref.image(), ref.runtime(), ref.labels(), ref.pod(),
                ref.namespace(), running, started == null ? null : started.toString(),
                stop == null ? null : stop.at().toString(), stop == null || stop.exitCode() < 0 ? null : stop.exitCode());
        KernelFacts facts = t.facts;
        return new Report(Report.VERSION, Instant.now().toString(), reason, id, s.observed(), s.processes(), s.files(),
                s.network(), syscalls(ref), capabilities(ref, t.activity),
                new Report.Namespaces(facts.namespaces(), facts.limits(), s.namespaceCalls()), List.of(), s.omitted());
    }

    /**
     * The capability tracker's counts, with the first check of each from its events; a first
     * check whose count the kernel no longer has (its key evicted) still shows, with 0.
     */
    private Report.Capabilities capabilities(ContainerRef ref, ContainerActivity activity) {
        Map<String, Report.CapabilityCheck> firsts = activity.capabilityFirsts();
        for (ContainerTallies t : tallies) {
            if (t.counted().equals("capability checks")) {
                List<Report.CapabilityCheck> checks = new ArrayList<>();
                java.util.Set<String> seen = new java.util.HashSet<>();
                t.of(ref).forEach((key, n) -> {
                    String[] w = key.split(" ");
                    if (w.length < 2) {
                        return;
                    }
                    boolean granted = w[1].equals("granted"), runtime = w.length > 2 && w[2].equals("runtime");
                    Report.CapabilityCheck first = firsts.get(key);
                    checks.add(new Report.CapabilityCheck(w[0], granted, runtime, n, first == null ? null : first.firstSeen(),
                            first == null ? "" : first.firstComm(), first == null ? 0 : first.firstPid(),
                            first == null ? "" : first.firstSyscall()));
                    seen.add(key);
                });
                firsts.forEach((key, first) -> {
                    if (!seen.contains(key)) {
                        checks.add(first);
                    }
                });
                return new Report.Capabilities(true, checks);
            }
        }
        return new Report.Capabilities(false, List.copyOf(firsts.values()));
    }

    private Report.Syscalls syscalls(ContainerRef ref) {
        for (ContainerTallies t : tallies) {
            if (t.counted().equals("syscalls")) {
                List<Report.Count> counts = new ArrayList<>();
                t.of(ref).forEach((name, n) -> counts.add(new Report.Count(name, n)));
                return new Report.Syscalls(t.tracker(), true, counts);
            }
        }
        return new Report.Syscalls("", false, List.of());
    }

    Config config() {
        return config;
    }

    /** Where reports go: the {@value #FOLDER_PROPERTY} property, else the folder setting. */
    Path folder() {
        String o = folderOverride;
        return Path.of(o != null ? o : config.folder());
    }
}
