package dev.apiary.launcher;

import sun.misc.Signal;

/**
 * Turns stop signals into a normal stop of the runtime, so a headless Apiary stopped by
 * SIGTERM (systemd, docker stop) or SIGINT exits with status 0 instead of the JVM's
 * 128+signal. Uses sun.misc.Signal (module jdk.unsupported), the supported way to handle a
 * signal without terminating the JVM.
 */
final class StopSignals {

    private StopSignals() {
    }

    /** On any of {@code signals}, runs {@code stop} on a thread of its own (once per signal delivery). */
    static void install(Runnable stop, String... signals) {
        for (String name : signals) {
            Signal.handle(new Signal(name), signal ->
                    Thread.ofPlatform().name("apiary-stop-SIG" + signal.getName()).start(stop));
        }
    }
}
