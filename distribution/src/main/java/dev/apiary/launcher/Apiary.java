package dev.apiary.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.util.tracker.ServiceTracker;

/**
 * An Apiary runtime: an embedded Felix framework with the bundles of an installation
 * ({@link ApiaryHome}), its Gogo commands, and its control socket. {@code bin/apiary} uses it,
 * and so can any Java program:
 * <pre>{@code
 * try (Apiary apiary = Apiary.builder()
 *         .home(Path.of("/opt/apiary"))
 *         .property("apiary.output", "/var/log/apiary/events.jsonl")
 *         .build()) {
 *     apiary.start();
 *     CommandResult result = apiary.commands("lb -s");
 * }
 * }</pre>
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #commands} from any number of threads (each
 * call runs in a Gogo session of its own), then {@link #close()} (from any thread, idempotent),
 * which stops the framework, closes the control socket and deletes the framework storage.
 * The framework may also stop by itself (the shell's {@code exit}, {@code stop 0}):
 * {@link #awaitStop()} returns then; {@code close()} is still the caller's to call.
 */
public final class Apiary implements AutoCloseable {

    /** How long {@link #start()} waits for the start levels and for Gogo. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);
    /** How long {@link #close()} waits for the bundles to stop. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /** The start level of the shell bundles: after everything else, so the prompt comes last. */
    static final int SHELL_START_LEVEL_OFFSET = 1;

    private final ApiaryHome home;
    private final Map<String, String> properties;
    private final List<ExtraBundle> extraBundles;
    private final boolean shell;
    private final Path socket;
    private final boolean checkPrerequisites;
    private final Mode mode;
    private final Set<String> trackers; // null: every tracker in bundles/

    private final Object lock = new Object();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch closeFinished = new CountDownLatch(1);
    private volatile String failure;
    private boolean started;
    private boolean closed;
    private Framework framework;
    private Path storage;
    private ControlServer controlServer;
    private ServiceTracker<Object, Object> processors;
    private GogoProcessor gogo;

    private Apiary(Builder builder) {
        this.home = builder.home != null ? builder.home : ApiaryHome.ofLauncher();
        Map<String, String> properties = new LinkedHashMap<>(builder.properties);
        if (builder.watch != null) {
            properties.put(WATCH_PROPERTY, builder.watch);
        }
        this.properties = Map.copyOf(properties);
        this.extraBundles = List.copyOf(builder.extraBundles);
        this.shell = builder.shell;
        this.socket = builder.socket;
        this.checkPrerequisites = builder.checkPrerequisites;
        this.mode = builder.mode;
        this.trackers = builder.trackers == null ? null : Set.copyOf(builder.trackers);
    }

    /** Framework property core reads its watch scope from, over conf/dev.apiary.core.cfg. */
    static final String WATCH_PROPERTY = "apiary.watch";

    /** The queue of a {@link #subscribe} subscription, in events. */
    public static final int SUBSCRIPTION_QUEUE = 1 << 16;

    /** The manifest header of a tracker bundle. */
    static final String TRACKER_HEADER = "Apiary-Tracker";

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Configures an {@link Apiary}. Not thread-safe; {@link #build()} copies what it holds.
     */
    public static final class Builder {
        private ApiaryHome home;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final List<ExtraBundle> extraBundles = new ArrayList<>();
        private boolean shell;
        private Path socket;
        private boolean checkPrerequisites = true;
        private Mode mode = Mode.EMBEDDED;
        private Set<String> trackers;
        private String watch;

        private Builder() {
        }

        /**
         * Starts only these trackers (their names, as {@code tracker:list} shows them); the
         * others are installed, stopped, and can be started later ({@code tracker:start NAME}).
         * Default: every tracker. {@link #start()} fails when one of them is not there.
         */
        public Builder trackers(String... names) {
            this.trackers = new java.util.LinkedHashSet<>(List.of(names));
            return this;
        }

        /**
         * What to watch: {@code all} (the host too), {@code containers}, or selectors
         * {@code name=<name>,label=<key>=<value>} (docs/containers.md). It wins over
         * {@code conf/dev.apiary.core.cfg}. Default: that file's, else {@code all}.
         */
        public Builder watch(String scope) {
            this.watch = scope;
            return this;
        }

        /** The installation whose bundles/ and conf/ to use; default: the one this launcher jar is in. */
        public Builder home(Path root) {
            this.home = new ApiaryHome(root);
            return this;
        }

        /** A framework property; overrides conf/framework.properties and the launcher's defaults. */
        public Builder property(String key, String value) {
            properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of " + key));
            return this;
        }

        public Builder properties(Map<String, String> values) {
            values.forEach(this::property);
            return this;
        }

        /** One more bundle, installed and started at the last start level of bundles/. */
        public Builder bundle(Path jar) {
            extraBundles.add(new ExtraBundle(jar, 0));
            return this;
        }

        /** One more bundle, installed and started at {@code startLevel} (1 or more). */
        public Builder bundle(Path jar, int startLevel) {
            if (startLevel < 1) {
                throw new IllegalArgumentException("start level of " + jar + " must be 1 or more, not " + startLevel);
            }
            extraBundles.add(new ExtraBundle(jar, startLevel));
            return this;
        }

        /** Whether to install bundles/shell/ (gogo.jline): an interactive shell on this process's terminal. Default false. */
        public Builder shell(boolean shell) {
            this.shell = shell;
            return this;
        }

        /** Listen on this control socket path ({@link ControlSocket#configuredPath()} for the usual one); default: none. */
        public Builder controlSocket(Path path) {
            this.socket = path;
            return this;
        }

        /** Whether {@link #start()} first checks root and BPF ({@link Prerequisites}). Default true. */
        public Builder checkPrerequisites(boolean check) {
            this.checkPrerequisites = check;
            return this;
        }

        /** The value of the framework property {@code apiary.mode}; default {@link Mode#EMBEDDED}. */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Apiary build() {
            return new Apiary(this);
        }
    }

    private record ExtraBundle(Path jar, int startLevel) {
    }

    /**
     * Starts the runtime and returns when every start level is reached and Gogo's command
     * processor is available. On failure everything started is stopped again.
     *
     * @throws MissingPrerequisitesException   before anything starts, when root or BPF is missing
     * @throws RuntimeAlreadyRunningException  when another runtime answers on the control socket
     * @throws ApiaryException                 when the framework or a bundle cannot be installed or started
     * @throws IllegalStateException           when called twice or after close
     */
    public void start() throws ApiaryException, InterruptedException {
        synchronized (lock) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "this Apiary is closed" : "this Apiary is already started");
            }
            started = true;
        }
        if (checkPrerequisites) {
            List<String> missing = Prerequisites.missing();
            if (!missing.isEmpty()) {
                throw new MissingPrerequisitesException(missing);
            }
        }
        try {
            startFramework();
        } catch (ApiaryException | InterruptedException | RuntimeException e) {
            failure = "the Apiary runtime failed to start: " + e.getMessage();
            ready.countDown();
            close();
            throw e;
        }
    }

    private void startFramework() throws ApiaryException, InterruptedException {
        SortedMap<Integer, List<Path>> levels;
        List<Path> shellBundles;
        try {
            levels = home.bundlesByStartLevel();
            shellBundles = shell ? home.shellBundles() : List.of();
            Files.createDirectories(home.deploy());
        } catch (IOException e) {
            throw new ApiaryException(e.getMessage(), e);
        }
        if (levels.isEmpty()) {
            throw new ApiaryException("no bundles in " + home.bundles());
        }
        if (shell && shellBundles.isEmpty()) {
            throw new ApiaryException("no shell bundles in " + home.bundles().resolve(ApiaryHome.SHELL));
        }
        int lastLevel = levels.lastKey();
        int beginning = shell ? lastLevel + SHELL_START_LEVEL_OFFSET : lastLevel;
        for (ExtraBundle extra : extraBundles) {
            beginning = Math.max(beginning, extra.startLevel());
        }

        if (socket != null) {
            // Claimed before Felix starts: a second runtime fails here, before loading any BPF.
            try {
                synchronized (lock) {
                    controlServer = ControlServer.listen(socket, this::newExecution);
                }
            } catch (IOException e) {
                throw new ApiaryException(e.getMessage(), e);
            }
        }

        Map<String, Object> config = new HashMap<>(frameworkProperties(beginning, lastLevel));
        try {
            storage = Files.createTempDirectory("apiary-felix-");
        } catch (IOException e) {
            throw new ApiaryException("cannot create the framework storage folder: " + e.getMessage(), e);
        }
        config.putIfAbsent(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put("felix.log.logger", new FelixLogger());

        Framework created = new FrameworkFactory().newFramework(config);
        synchronized (lock) {
            framework = created;
        }
        CountDownLatch startLevelReached = new CountDownLatch(1);
        FrameworkListener startedListener = event -> {
            if (event.getType() == FrameworkEvent.STARTED) {
                startLevelReached.countDown();
            }
        };
        // JLine finds a real terminal only when the thread context class loader is null while
        // Felix starts (its start-level thread inherits it, and gogo.jline starts there).
        Thread current = Thread.currentThread();
        ClassLoader contextLoader = current.getContextClassLoader();
        current.setContextClassLoader(null);
        try {
            created.init();
            BundleContext context = created.getBundleContext();
            context.addFrameworkListener(startedListener);
            List<String> trackersFound = new ArrayList<>();
            for (Map.Entry<Integer, List<Path>> level : levels.entrySet()) {
                for (Path jar : level.getValue()) {
                    install(context, jar, level.getKey(), trackers, trackersFound);
                }
            }
            if (trackers != null && !trackersFound.containsAll(trackers)) {
                List<String> missing = trackers.stream().filter(t -> !trackersFound.contains(t)).toList();
                throw new ApiaryException("no tracker named " + String.join(", ", missing) + " in " + home.bundles()
                        + "; there are: " + String.join(", ", trackersFound));
            }
            for (ExtraBundle extra : extraBundles) {
                install(context, extra.jar(), extra.startLevel() == 0 ? lastLevel : extra.startLevel(), null, new ArrayList<>());
            }
            for (Path jar : shellBundles) {
                install(context, jar, lastLevel + SHELL_START_LEVEL_OFFSET, null, new ArrayList<>());
            }
            created.start();
        } catch (BundleException e) {
            throw new ApiaryException("the framework failed to start: " + e.getMessage(), e);
        } finally {
            current.setContextClassLoader(contextLoader);
        }
        if (!startLevelReached.await(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new ApiaryException("the framework did not reach start level " + beginning + " in " + STARTUP_TIMEOUT.toSeconds()
                    + " s; bundles: " + bundleStates());
        }
        created.getBundleContext().removeFrameworkListener(startedListener);

        ServiceTracker<Object, Object> tracker;
        try {
            tracker = new ServiceTracker<>(created.getBundleContext(),
                    created.getBundleContext().createFilter("(" + Constants.OBJECTCLASS + "=" + GogoProcessor.PROCESSOR + ")"), null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        tracker.open(true);
        synchronized (lock) {
            processors = tracker;
        }
        if (tracker.waitForService(STARTUP_TIMEOUT.toMillis()) == null) {
            throw new ApiaryException("Gogo's command processor did not appear: is org.apache.felix.gogo.runtime in "
                    + home.bundles() + " and active? bundles: " + bundleStates());
        }
        ready.countDown();
    }

    /**
     * Installs a bundle and marks it to start with its level, unless it is a fragment or a
     * tracker not among {@code chosen} (null: all trackers start).
     */
    private static void install(BundleContext context, Path jar, int startLevel, Set<String> chosen,
            List<String> trackersFound) throws ApiaryException {
        try {
            // reference: the framework reads the jar in place instead of copying it into its storage
            Bundle bundle = context.installBundle("reference:" + jar.toAbsolutePath().toUri());
            bundle.adapt(BundleStartLevel.class).setStartLevel(startLevel);
            String tracker = bundle.getHeaders().get(TRACKER_HEADER);
            if (tracker != null) {
                trackersFound.add(tracker.trim());
            }
            boolean wanted = tracker == null || chosen == null || chosen.contains(tracker.trim());
            if (wanted && bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundle.start(); // starts once the framework reaches its start level
            }
        } catch (BundleException e) {
            throw new ApiaryException("cannot install " + jar + ": " + e.getMessage(), e);
        }
    }

    /** The framework properties: the launcher's defaults, then conf/framework.properties, then the builder's. */
    Map<String, String> frameworkProperties(int beginningStartLevel, int bundleStartLevel) throws ApiaryException {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, Integer.toString(beginningStartLevel));
        config.put("felix.startlevel.bundle", Integer.toString(bundleStartLevel));
        config.put("felix.log.level", "3"); // info
        // FileInstall: bundles in deploy/, configurations (*.cfg) in conf/ for Config Admin
        config.put("felix.fileinstall.dir", home.deploy() + "," + home.conf());
        config.put("felix.fileinstall.filter", ".*\\.(jar|cfg|config)");
        config.put("felix.fileinstall.poll", "1000");
        config.put("felix.fileinstall.noInitialDelay", "true");
        config.put("felix.fileinstall.start.level", Integer.toString(bundleStartLevel));
        config.put("felix.fileinstall.bundles.startTransient", "true"); // the storage is new at each start anyway
        config.put("felix.fileinstall.log.default", "jul"); // its default is stdout, where headless events go
        config.put("felix.fileinstall.log.level", "3");
        config.put("apiary.home", home.root().toString());
        // The shell reads etc/gosh_profile from here: Apiary's prompt, banner and help first.
        config.put("gosh.home", home.root().toString());
        config.put("apiary.mode", mode.propertyValue());
        if (socket != null) {
            config.put(ControlSocket.PROPERTY, socket.toAbsolutePath().toString());
        }
        Path file = home.conf().resolve("framework.properties");
        if (Files.isRegularFile(file)) {
            Properties fromFile = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                fromFile.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new ApiaryException("cannot read " + file + ": " + e.getMessage(), e);
            }
            for (String key : fromFile.stringPropertyNames()) {
                config.put(key, fromFile.getProperty(key).replace("${apiary.home}", home.root().toString()));
            }
        }
        config.putAll(properties);
        return config;
    }

    /** The framework, once started (for what commands cannot do, e.g. tests inspecting bundles). */
    public Framework framework() {
        synchronized (lock) {
            if (framework == null) {
                throw new IllegalStateException("not started");
            }
            return framework;
        }
    }

    /** The installation this runtime uses. */
    public ApiaryHome home() {
        return home;
    }

    /** The control socket this runtime listens on, if any. */
    public Optional<Path> controlSocket() {
        synchronized (lock) {
            return Optional.ofNullable(controlServer).map(ControlServer::path);
        }
    }

    /**
     * Runs a Gogo command line and collects what it printed. Thread-safe.
     *
     * @throws IllegalStateException when the runtime is not started, failed, or is closed
     */
    public CommandResult commands(String commandLine) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = commands(commandLine, out, err);
        return new CommandResult(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs a Gogo command line, printing to the given streams as it goes (flushed, not closed).
     * Interrupting the calling thread cancels the command. Thread-safe.
     *
     * @return 0 when it completed, 1 when it threw (the message went to {@code err}), 130 when interrupted
     * @throws IllegalStateException when the runtime is not started, failed, or is closed
     */
    public int commands(String commandLine, OutputStream out, OutputStream err) throws InterruptedException {
        CommandExecution execution;
        try {
            execution = newExecution(out, err);
        } catch (ApiaryException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return execution.run(commandLine);
    }

    /** An execution on Gogo's current command processor; waits while the runtime is starting. */
    CommandExecution newExecution(OutputStream out, OutputStream err) throws ApiaryException, InterruptedException {
        synchronized (lock) {
            if (!started) {
                throw new IllegalStateException("not started: call start() first");
            }
        }
        if (!ready.await(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new ApiaryException("the Apiary runtime is still starting after " + STARTUP_TIMEOUT.toSeconds() + " s");
        }
        String failed = failure;
        if (failed != null) {
            throw new ApiaryException(failed);
        }
        return new CommandExecution(currentProcessor(), out, err);
    }

    private GogoProcessor currentProcessor() throws ApiaryException {
        synchronized (lock) {
            if (closed || processors == null) {
                throw new ApiaryException("the Apiary runtime is stopping");
            }
            ServiceReference<Object> reference = processors.getServiceReference();
            Object service = reference == null ? null : processors.getService(reference);
            if (service == null) {
                throw new ApiaryException("Gogo's command processor is gone (org.apache.felix.gogo.runtime stopped)");
            }
            if (gogo == null || gogo.service() != service) {
                try {
                    gogo = new GogoProcessor(service, reference.getBundle());
                } catch (ReflectiveOperationException e) {
                    throw new ApiaryException("Gogo's command processor is not the API this launcher knows: " + e, e);
                }
            }
            return gogo;
        }
    }

    /**
     * Subscribes {@code consumer} to the runtime's events that {@code filter} lets through,
     * from now on. The consumer runs on a thread of the subscription's own, one event at a
     * time; if it falls {@link #SUBSCRIPTION_QUEUE} events behind, newer events are dropped
     * (and counted) rather than held. Close the subscription when done; {@link #close()}
     * closes the ones still open. Thread-safe.
     *
     * @throws IllegalStateException when the runtime is not started
     * @throws ApiaryException when the runtime's event service cannot be reached
     */
    public EventSubscription subscribe(ApiaryEvent.Filter filter, Consumer<ApiaryEvent> consumer) throws ApiaryException {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(consumer, "consumer");
        EventBridge bridge;
        synchronized (lock) {
            if (!started || closed || framework == null) {
                throw new IllegalStateException("start() the runtime before subscribing");
            }
            if (eventBridge == null) {
                eventBridge = EventBridge.open(framework.getBundleContext());
            }
            bridge = eventBridge;
        }
        return bridge.subscribe("embedded-" + SUBSCRIPTIONS.incrementAndGet(), filter, SUBSCRIPTION_QUEUE, consumer);
    }

    private static final java.util.concurrent.atomic.AtomicInteger SUBSCRIPTIONS = new java.util.concurrent.atomic.AtomicInteger();
    private EventBridge eventBridge;

    /** Waits until the framework has stopped (by {@link #close()}, the shell's exit, or {@code stop 0}). */
    public void awaitStop() throws InterruptedException {
        Framework current;
        synchronized (lock) {
            current = framework;
        }
        if (current != null) {
            current.waitForStop(0);
        }
    }

    /** Each bundle's symbolic name and state, for messages. */
    public String bundleStates() {
        Framework current;
        synchronized (lock) {
            current = framework;
        }
        if (current == null || current.getBundleContext() == null) {
            return "(framework not running)";
        }
        StringBuilder states = new StringBuilder();
        for (Bundle bundle : current.getBundleContext().getBundles()) {
            states.append(String.format("%n  %3d %-10s %s %s", bundle.getBundleId(), stateName(bundle.getState()),
                    bundle.getSymbolicName(), bundle.getVersion()));
        }
        return states.toString();
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "STATE" + state;
        };
    }

    /**
     * Stops the framework (waiting up to 30 s for the bundles), stops listening on the control
     * socket and deletes the framework storage. Idempotent; thread-safe.
     */
    @Override
    public void close() {
        Framework stopping;
        ControlServer server;
        ServiceTracker<Object, Object> tracker;
        synchronized (lock) {
            if (closed) {
                awaitCloseOfOtherThread();
                return;
            }
            closed = true;
            stopping = framework;
            server = controlServer;
            tracker = processors;
        }
        if (server != null) {
            server.close();
        }
        if (tracker != null) {
            tracker.close();
        }
        if (stopping != null) {
            try {
                stopping.stop();
                FrameworkEvent event = stopping.waitForStop(STOP_TIMEOUT.toMillis());
                if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                    System.err.println("apiary: the framework did not stop within " + STOP_TIMEOUT.toSeconds() + " s");
                }
            } catch (BundleException e) {
                System.err.println("apiary: stopping the framework failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (storage != null) {
            deleteRecursively(storage);
        }
        closeFinished.countDown();
    }

    /** A second close() (e.g. main thread and signal handler) returns when the first has finished. */
    private void awaitCloseOfOtherThread() {
        try {
            closeFinished.await(STOP_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("apiary: cannot delete the framework storage " + root + ": " + e.getMessage());
        }
    }

}
