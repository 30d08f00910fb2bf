package dev.apiary.core;

import dev.apiary.bpf.BpfMap;
import dev.apiary.bpf.BpfObject;
import dev.apiary.core.container.CgroupLearner;
import dev.apiary.core.container.ContainerDirectory;
import dev.apiary.core.container.WatchScope;
import dev.apiary.core.dispatch.ContainerLookup;
import dev.apiary.core.dispatch.Dispatcher;
import dev.apiary.core.dispatch.HeapGiveBack;
import dev.apiary.core.output.EventLog;
import dev.apiary.core.system.KernelSetup;
import dev.apiary.core.tracker.TrackerManager;
import dev.apiary.core.tracker.TrackerPins;
import dev.apiary.sdk.Container;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Containers;
import dev.apiary.sdk.EventSubscriber;
import dev.apiary.sdk.Events;
import dev.apiary.sdk.Tail;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventFilter;
import java.util.function.Predicate;
import dev.apiary.sdk.Subscription;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running core: kernel setup, core's own BPF (cgroup learning and the shared
 * watched-namespaces map), the container directory, the dispatcher, the trackers, and the
 * headless event log. Registered as {@link Events} and {@link Containers} for sinks and trackers.
 * Configured through Configuration Admin (PID {@code dev.apiary.core}, file conf/dev.apiary.core.cfg).
 */
@Component(service = {ApiaryRuntime.class, Events.class, Containers.class}, immediate = true,
        configurationPid = ApiaryRuntime.PID)
@Designate(ocd = ApiaryRuntime.Config.class)
public final class ApiaryRuntime implements Events, Containers {

    public static final String PID = "dev.apiary.core";

    @ObjectClassDefinition(name = "Apiary core", description = "How core watches and dispatches")
    public @interface Config {
        @AttributeDefinition(description = "What to watch: 'all' (host too), 'containers', or selectors "
                + "'name=<name>,label=<key>=<value>'")
        String watch() default "all";

        @AttributeDefinition(description = "Bytes waiting in a ring before BPF wakes the dispatcher (clamped to half the ring)")
        int wakeup_bytes() default 64 * 1024;

        @AttributeDefinition(description = "The dispatcher's longest wait between two looks at the rings, ms")
        int poll_millis() default 50;

        @AttributeDefinition(description = "How long events of a container not yet named are held back, ms")
        int hold_millis() default 2000;

        @AttributeDefinition(description = "After a burst of events, once for 1 s no more than 1,000 events a second were delivered or queued, "
                + "one full garbage collection so that the JVM gives back the heap the burst grew")
        boolean heap_give_back() default true;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ApiaryRuntime.class);

    private final Instant startedAt = Instant.now();
    private final String version;
    private final KernelSetup.Report kernelReport;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final ContainerDirectory directory;
    private final Dispatcher dispatcher;
    private final TrackerManager trackers;

    @Activate
    public ApiaryRuntime(BundleContext context, Config config) {
        this.version = context.getBundle().getVersion().toString();
        this.kernelReport = KernelSetup.prepare();
        try {
            BpfObject cgroups = loadOwnObject(context, CgroupLearner.OBJECT_RESOURCE);
            opened.push(cgroups);
            this.directory = new ContainerDirectory(ContainerDirectory.Settings.defaults()
                    .withScope(WatchScope.parse(watchScope(context, config))), cgroups);
            opened.push(directory);
            directory.start();
            this.dispatcher = new Dispatcher(lookup(directory), Duration.ofMillis(config.poll_millis()),
                    Duration.ofMillis(config.hold_millis()));
            opened.push(dispatcher);
            // Cgroups are learned first in every round, so a container is known before its events.
            dispatcher.addHousekeeping(directory.learnerRing(), directory::drainLearner);
            dispatcher.start();
            if (config.heap_give_back()) {
                opened.push(HeapGiveBack.forDispatcher(dispatcher).start());
            }
            String output = context.getProperty(EventLog.OUTPUT_PROPERTY);
            if (output != null && !output.isBlank()) {
                EventLog log = EventLog.open(output.trim());
                opened.push(log);
                opened.push(dispatcher.subscribe("event-log", log));
            }
            TrackerPins pins = TrackerPins.create(TrackerPins.DEFAULT_BASE);
            opened.push(pins);
            this.trackers = new TrackerManager(context, dispatcher, this, Optional.of(cgroups.map("apiary_watched")),
                    config.wakeup_bytes(), pins);
            opened.push(trackers);
            trackers.open();
            LOG.info("Apiary core {} running", version);
        } catch (RuntimeException | Error e) {
            closeAll();
            throw e;
        }
    }

    /** Framework property with the watch scope; an embedding program's choice wins over conf/. */
    public static final String WATCH_PROPERTY = "apiary.watch";

    private static String watchScope(BundleContext context, Config config) {
        String chosen = context.getProperty(WATCH_PROPERTY);
        return chosen != null && !chosen.isBlank() ? chosen.trim() : config.watch();
    }

    private static ContainerLookup lookup(ContainerDirectory directory) {
        return new ContainerLookup() {
            @Override
            public ContainerRef resolve(long cgroupId) {
                return directory.resolve(cgroupId);
            }

            @Override
            public boolean awaitingMetadata(ContainerRef ref) {
                return directory.awaitingMetadata(ref);
            }
        };
    }

    private static BpfObject loadOwnObject(BundleContext context, String resource) {
        URL url = context.getBundle().getEntry(resource);
        if (url == null) {
            throw new IllegalStateException("core bundle lacks " + resource);
        }
        byte[] elf;
        try (InputStream in = url.openStream()) {
            elf = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return BpfObject.open(elf, "apiary_core").loadAndAttach();
    }

    @Deactivate
    void deactivate() {
        closeAll();
        LOG.info("Apiary core stopped");
    }

    private void closeAll() {
        while (!opened.isEmpty()) {
            AutoCloseable c = opened.pop();
            try {
                c.close();
            } catch (Exception | Error e) {
                LOG.warn("closing {} failed", c, e);
            }
        }
    }

    public String version() {
        return version;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public KernelSetup.Report kernelReport() {
        return kernelReport;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public TrackerManager trackers() {
        return trackers;
    }

    public String dockerStatus() {
        return directory.dockerStatus();
    }

    public String watchScope() {
        return directory.watched().scope().toString();
    }

    /** What the kernel offers that trackers rely on, for {@code apiary:status}. */
    public Map<String, Object> kernelFeatures() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("kernel", System.getProperty("os.version"));
        f.put("btf", Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")) ? "yes (/sys/kernel/btf/vmlinux)" : "MISSING");
        f.put("tracefs", Files.isDirectory(Path.of("/sys/kernel/tracing/events")) ? "/sys/kernel/tracing" : "MISSING");
        f.put("bpffs", KernelSetup.isMounted("bpf", Path.of("/sys/fs/bpf")) ? "/sys/fs/bpf" : "not mounted");
        f.put("cgroup v2", directory.learner().root().toString());
        return f;
    }

    @Override
    public Subscription subscribe(String name, EventSubscriber subscriber) {
        return dispatcher.subscribe(name, subscriber);
    }

    @Override
    public Tail tail(String name, EventFilter filter, Predicate<? super Event> where, int capacity) {
        return dispatcher.tail(name, filter, where, capacity);
    }

    @Override
    public List<Container> list() {
        directory.awaitFirstList(); // right after the start: Docker's names, not paths only
        return directory.list();
    }

    @Override
    public Optional<Container> find(String nameOrId) {
        directory.awaitFirstList();
        return directory.find(nameOrId);
    }

    @Override
    public ContainerRef ofPid(int pid) {
        return directory.ofPid(pid);
    }

    @Override
    public void setLimit(String nameOrId, Limit limit, long value) {
        directory.setLimit(nameOrId, limit, value);
    }

    @Override
    public ContainerRef ofCgroup(long cgroupId) {
        return directory.ofCgroup(cgroupId);
    }

    @Override
    public AutoCloseable onStop(java.util.function.Consumer<dev.apiary.sdk.ContainerStop> listener) {
        return directory.onStop(listener);
    }
}
