package dev.apiary.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
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
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/**
 * One embedded Felix framework's life for an {@link Apiary}: the framework properties, a new
 * storage folder, the bundles of the installation installed by start level (the chosen trackers,
 * the extra bundles, the shell last), the start up to the beginning start level; then its stop
 * and the storage's removal. What the runtime does once started (commands, events, the control
 * socket) is the {@link Apiary}'s.
 *
 * <p><b>Threads.</b> {@link #layout} and {@link #start} run on the one thread that starts the
 * runtime; {@link #framework()}, {@link #bundleStates()} and {@link #stop()} are safe from any
 * thread, {@code stop()} also while {@code start()} runs (the framework then stops under it and
 * {@code start()} fails). Not restartable: one start, one stop.
 */
final class FrameworkLauncher {

    /** How long {@link #start} waits for the start levels (and the Apiary for Gogo). */
    static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);
    /** How long {@link #stop()} waits for the bundles to stop. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /** The start level of the shell bundles: after everything else, so the prompt comes last. */
    static final int SHELL_START_LEVEL_OFFSET = 1;

    /** The manifest header of a tracker bundle. */
    static final String TRACKER_HEADER = "Apiary-Tracker";

    /** A bundle given to the builder; start level 0: the last level of bundles/. */
    record ExtraBundle(Path jar, int startLevel) {
    }

    /**
     * What is installed at which start level.
     *
     * @param levels       the jars of bundles/&lt;n&gt;/ by start level, never empty
     * @param shellBundles the jars of bundles/shell/ when the shell is asked for, else empty
     * @param bundlesLevel the level the framework begins at: the last of bundles/, at least that
     *                     of every extra bundle; the trackers start once it is reached
     * @param beginning    the level {@code start} returns at: {@code bundlesLevel}, with the shell
     *                     at least one more than the last of bundles/
     */
    record Layout(SortedMap<Integer, List<Path>> levels, List<Path> shellBundles, int bundlesLevel, int beginning) {

        /** The last start level of bundles/: that of later installs and of extra bundles without one. */
        int lastLevel() {
            return levels.lastKey();
        }
    }

    private final ApiaryHome home;
    private final Map<String, String> properties;
    private final List<ExtraBundle> extraBundles;
    private final boolean shell;
    private final Path socket;
    private final Mode mode;
    private final Set<String> trackers; // null: every tracker in bundles/

    private final Object lock = new Object();
    private Framework framework;  // guarded by lock; set as soon as it exists, so that stop() can stop it
    private Path storage;         // guarded by lock

    /**
     * @param properties   framework properties that win over every other source
     * @param socket       the control socket's path, for the {@code apiary.socket} property; null for none
     * @param trackers     the trackers to start; null for every one
     */
    FrameworkLauncher(ApiaryHome home, Map<String, String> properties, List<ExtraBundle> extraBundles, boolean shell,
            Path socket, Mode mode, Set<String> trackers) {
        this.home = home;
        this.properties = Map.copyOf(properties);
        this.extraBundles = List.copyOf(extraBundles);
        this.shell = shell;
        this.socket = socket;
        this.mode = mode;
        this.trackers = trackers == null ? null : Set.copyOf(trackers);
    }

    /**
     * Reads the installation's bundle folders (and makes deploy/).
     *
     * @throws ApiaryException when bundles/ is missing, unreadable or empty, or the shell is asked
     *                         for and bundles/shell/ has no jar
     */
    Layout layout() throws ApiaryException {
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
        int bundlesLevel = lastLevel;
        for (ExtraBundle extra : extraBundles) {
            bundlesLevel = Math.max(bundlesLevel, extra.startLevel());
        }
        int beginning = shell ? Math.max(bundlesLevel, lastLevel + SHELL_START_LEVEL_OFFSET) : bundlesLevel;
        return new Layout(levels, shellBundles, bundlesLevel, beginning);
    }

    /**
     * Makes the storage folder and the framework, installs the layout's bundles, starts the
     * framework and waits until it reached the beginning start level. What is left behind on
     * failure (the framework, the storage) goes with {@link #stop()}.
     *
     * @return the started framework
     * @throws ApiaryException when the storage cannot be made, a bundle cannot be installed, a
     *                         chosen tracker is not in bundles/, or the start level is not
     *                         reached within {@link #STARTUP_TIMEOUT}
     */
    Framework start(Layout layout) throws ApiaryException, InterruptedException {
        // The shell's level comes after the trackers' start, so that the prompt comes last.
        Map<String, Object> config = new HashMap<>(frameworkProperties(layout.bundlesLevel(), layout.lastLevel()));
        Path folder;
        try {
            folder = Files.createTempDirectory("apiary-felix-");
        } catch (IOException e) {
            throw new ApiaryException("cannot create the framework storage folder: " + e.getMessage(), e);
        }
        synchronized (lock) {
            storage = folder;
        }
        config.putIfAbsent(Constants.FRAMEWORK_STORAGE, folder.toString());
        config.put("felix.log.logger", new FelixLogger());

        Framework created = new FrameworkFactory().newFramework(config);
        synchronized (lock) {
            framework = created;
        }
        CountDownLatch startLevelReached = new CountDownLatch(1);
        CountDownLatch shellLevelReached = new CountDownLatch(1);
        FrameworkListener startedListener = event -> {
            if (event.getType() == FrameworkEvent.STARTED) {
                startLevelReached.countDown();
            } else if (event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
                shellLevelReached.countDown();
            }
        };
        List<Bundle> trackerBundles = new ArrayList<>();
        // JLine finds a real terminal only when the thread context class loader is null while
        // Felix starts (its start-level thread inherits it, and gogo.jline starts there).
        Thread current = Thread.currentThread();
        ClassLoader contextLoader = current.getContextClassLoader();
        current.setContextClassLoader(null);
        try {
            created.init();
            BundleContext context = created.getBundleContext();
            context.addFrameworkListener(startedListener);
            installAll(context, layout, trackerBundles);
            created.start();
        } catch (BundleException e) {
            throw new ApiaryException("the framework failed to start: " + e.getMessage(), e);
        } finally {
            current.setContextClassLoader(contextLoader);
        }
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        awaitLevel(startLevelReached, layout.bundlesLevel(), deadline);
        TrackerStarts.startAll(trackerBundles, deadline);
        if (layout.beginning() > layout.bundlesLevel()) {
            current.setContextClassLoader(null); // as above: gogo.jline starts on the start-level thread
            try {
                created.adapt(FrameworkStartLevel.class).setStartLevel(layout.beginning());
            } finally {
                current.setContextClassLoader(contextLoader);
            }
            awaitLevel(shellLevelReached, layout.beginning(), deadline);
        }
        created.getBundleContext().removeFrameworkListener(startedListener);
        return created;
    }

    /** Waits for {@code reached}, the framework's report of {@code level}, until {@code deadline} (nanoTime). */
    private void awaitLevel(CountDownLatch reached, int level, long deadline) throws ApiaryException, InterruptedException {
        if (!reached.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new ApiaryException("the framework did not reach start level " + level + " in "
                    + STARTUP_TIMEOUT.toSeconds() + " s; bundles: " + bundleStates());
        }
    }

    /** bundles/ level by level, then the extra bundles, then the shell's, one level above the last. */
    private void installAll(BundleContext context, Layout layout, List<Bundle> trackerBundles) throws ApiaryException {
        int lastLevel = layout.lastLevel();
        List<String> trackersFound = new ArrayList<>();
        for (Map.Entry<Integer, List<Path>> level : layout.levels().entrySet()) {
            for (Path jar : level.getValue()) {
                install(context, jar, level.getKey(), trackers, trackersFound, trackerBundles);
            }
        }
        if (trackers != null && !trackersFound.containsAll(trackers)) {
            List<String> missing = trackers.stream().filter(t -> !trackersFound.contains(t)).toList();
            throw new ApiaryException("no tracker named " + String.join(", ", missing) + " in " + home.bundles()
                    + "; there are: " + String.join(", ", trackersFound));
        }
        for (ExtraBundle extra : extraBundles) {
            install(context, extra.jar(), extra.startLevel() == 0 ? lastLevel : extra.startLevel(), null, new ArrayList<>(),
                    trackerBundles);
        }
        for (Path jar : layout.shellBundles()) {
            install(context, jar, lastLevel + SHELL_START_LEVEL_OFFSET, null, new ArrayList<>(), trackerBundles);
        }
    }

    /**
     * Installs a bundle and marks it to start with its level, unless it is a fragment or a
     * tracker. A tracker among {@code chosen} (null: all trackers) is added to
     * {@code trackerBundles} instead, to be started once the levels are reached.
     */
    private static void install(BundleContext context, Path jar, int startLevel, Set<String> chosen,
            List<String> trackersFound, List<Bundle> trackerBundles) throws ApiaryException {
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
                if (tracker != null) {
                    trackerBundles.add(bundle);
                } else {
                    bundle.start(); // starts once the framework reaches its start level
                }
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
        // SLF4J comes from the class path; a system.packages.extra of conf/ or the builder adds to it
        config.merge(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, LoggingPackages.systemPackagesExtra(),
                (given, logging) -> given.isBlank() ? logging : logging + "," + given);
        return config;
    }

    /** The framework once made (it may not have started yet, or have stopped since); null before. */
    Framework framework() {
        synchronized (lock) {
            return framework;
        }
    }

    /** Each bundle's id, state, symbolic name and version, for messages. */
    String bundleStates() {
        Framework current = framework();
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
     * Stops the framework, waiting up to {@link #STOP_TIMEOUT} for its bundles, and deletes the
     * storage. What goes wrong is said on stderr: the caller is closing and has nothing to do
     * with an error.
     */
    void stop() {
        Framework stopping;
        Path folder;
        synchronized (lock) {
            stopping = framework;
            folder = storage;
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
        if (folder != null) {
            deleteRecursively(folder);
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
