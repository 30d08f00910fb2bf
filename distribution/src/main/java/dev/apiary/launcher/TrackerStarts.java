package dev.apiary.launcher;

import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/**
 * Starts the tracker bundles side by side, once the rest of the runtime (core among it) is up.
 * A tracker loads, verifies and attaches its BPF as its bundle starts (core's tracker manager does
 * it in the bundle's service registration, on the starting thread), and the kernel's verifier is
 * most of a start: one after the other on the start-level thread they took 2.2 s, side by side
 * they take about as long as the slowest. Once {@link #startAll} returns, every tracker is
 * running or failed, as when they started one by one.
 */
final class TrackerStarts {

    private TrackerStarts() {
    }

    /**
     * Starts each bundle on its own thread and waits for all of them, at most until
     * {@code deadlineNanos} ({@link System#nanoTime()}). A bundle that fails to start is said on
     * stderr, as Felix says it of the bundles it starts itself; the others go on.
     *
     * @throws InterruptedException when interrupted while waiting (the starts go on)
     */
    static void startAll(List<Bundle> bundles, long deadlineNanos) throws InterruptedException {
        List<Thread> starts = new ArrayList<>();
        for (Bundle bundle : bundles) {
            starts.add(Thread.ofPlatform().daemon().name("apiary-start-" + bundle.getSymbolicName()).start(() -> start(bundle)));
        }
        for (Thread start : starts) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !start.join(java.time.Duration.ofNanos(left))) {
                System.err.println("apiary: " + start.getName().substring("apiary-start-".length())
                        + " is still starting; going on without waiting for it");
            }
        }
    }

    private static void start(Bundle bundle) {
        // Like the start-level thread Felix starts bundles on: no context class loader.
        Thread.currentThread().setContextClassLoader(null);
        try {
            bundle.start();
        } catch (BundleException | RuntimeException e) {
            if (bundle.getState() != Bundle.UNINSTALLED) {
                System.err.println("apiary: cannot start bundle " + bundle.getSymbolicName() + " [" + bundle.getBundleId()
                        + "]: " + e.getMessage());
            }
        }
    }
}
