package dev.apiary.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
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
 *
 * <p>The framework's own start-up and stop (its properties, storage, the bundles by start
 * level) are a {@code FrameworkLauncher}'s; this class adds the control socket, Gogo's
 * commands and the events.
 */
public final class Apiary implements AutoCloseable {

    /** How long {@link #start()} waits for Gogo, and a command for a start under way. */
    private static final Duration STARTUP_TIMEOUT = FrameworkLauncher.STARTUP_TIMEOUT;

    private final ApiaryHome home;
    private final Path socket;
    private final boolean checkPrerequisites;
    private final FrameworkLauncher launcher;

    private final Object lock = new Object();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch closeFinished = new CountDownLatch(1);
    private volatile String failure;
    private boolean started;
    private boolean closed;
    private ControlServer controlServer;
    private ServiceTracker<Object, Object> processors;
    private GogoProcessor gogo;

    private Apiary(Builder builder) {
        this.home = builder.home != null ? builder.home : ApiaryHome.ofLauncher();
        Map<String, String> properties = new LinkedHashMap<>(builder.properties);
        if (builder.watch != null) {
            properties.put(WATCH_PROPERTY, builder.watch);
        }
        this.socket = builder.socket;
        this.checkPrerequisites = builder.checkPrerequisites;
        this.launcher = new FrameworkLauncher(home, properties, builder.extraBundles, builder.shell, socket, builder.mode,
                builder.trackers);
    }

    /** Framework property core reads its watch scope from, over conf/dev.apiary.core.cfg. */
    static final String WATCH_PROPERTY = "apiary.watch";

    /** The queue of a {@link #subscribe} subscription, in events. */
    public static final int SUBSCRIPTION_QUEUE = 1 << 16;

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Configures an {@link Apiary}. Not thread-safe; {@link #build()} copies what it holds.
     */
    public static final class Builder {
        private ApiaryHome home;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final List<FrameworkLauncher.ExtraBundle> extraBundles = new ArrayList<>();
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
            extraBundles.add(new FrameworkLauncher.ExtraBundle(jar, 0));
            return this;
        }

        /** One more bundle, installed and started at {@code startLevel} (1 or more). */
        public Builder bundle(Path jar, int startLevel) {
            if (startLevel < 1) {
                throw new IllegalArgumentException("start level of " + jar + " must be 1 or more, not " + startLevel);
            }
            extraBundles.add(new FrameworkLauncher.ExtraBundle(jar, startLevel));
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
        FrameworkLauncher.Layout layout = launcher.layout();
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
        Framework created = launcher.start(layout);

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

    /** The framework, once started (for what commands cannot do, e.g. tests inspecting bundles). */
    public Framework framework() {
        Framework current = launcher.framework();
        if (current == null) {
            throw new IllegalStateException("not started");
        }
        return current;
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
            Framework current = launcher.framework();
            if (!started || closed || current == null) {
                throw new IllegalStateException("start() the runtime before subscribing");
            }
            if (eventBridge == null) {
                eventBridge = EventBridge.open(current.getBundleContext());
            }
            bridge = eventBridge;
        }
        return bridge.subscribe("embedded-" + SUBSCRIPTIONS.incrementAndGet(), filter, SUBSCRIPTION_QUEUE, consumer);
    }

    private static final java.util.concurrent.atomic.AtomicInteger SUBSCRIPTIONS = new java.util.concurrent.atomic.AtomicInteger();
    private EventBridge eventBridge;

    /** Waits until the framework has stopped (by {@link #close()}, the shell's exit, or {@code stop 0}). */
    public void awaitStop() throws InterruptedException {
        Framework current = launcher.framework();
        if (current != null) {
            current.waitForStop(0);
        }
    }

    /** Each bundle's symbolic name and state, for messages. */
    public String bundleStates() {
        return launcher.bundleStates();
    }

    /**
     * Stops the framework (waiting up to 30 s for the bundles), stops listening on the control
     * socket and deletes the framework storage. Idempotent; thread-safe.
     */
    @Override
    public void close() {
        ControlServer server;
        ServiceTracker<Object, Object> tracker;
        synchronized (lock) {
            if (closed) {
                awaitCloseOfOtherThread();
                return;
            }
            closed = true;
            server = controlServer;
            tracker = processors;
        }
        if (server != null) {
            server.close();
        }
        if (tracker != null) {
            tracker.close();
        }
        launcher.stop();
        closeFinished.countDown();
    }

    /** A second close() (e.g. main thread and signal handler) returns when the first has finished. */
    private void awaitCloseOfOtherThread() {
        try {
            closeFinished.await(FrameworkLauncher.STOP_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
