package dev.apiary.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The docker CLI and daemon, as a user drives them. */
final class Docker {

    private Docker() {
    }

    static String uniqueName(String what) {
        return "apiary-it-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static HeadlessRuntime.Result docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        return HeadlessRuntime.run(cmd, null);
    }

    /** Runs a command and fails the test with its output when it fails. */
    static String ok(String... args) throws IOException, InterruptedException {
        HeadlessRuntime.Result r = docker(args);
        if (r.status() != 0) {
            throw new AssertionError("docker " + String.join(" ", args) + " failed: " + r);
        }
        return r.out().trim();
    }

    static void removeQuietly(String name) {
        try {
            docker("rm", "-f", name);
        } catch (IOException | InterruptedException e) {
            // best effort cleanup
        }
    }

    static boolean daemonAnswers() throws IOException, InterruptedException {
        return docker("info").status() == 0;
    }

    /** Stops the daemon (SIGTERM to dockerd) and waits until it no longer answers. */
    static void stopDaemon() throws IOException, InterruptedException {
        HeadlessRuntime.run(List.of("pkill", "-TERM", "-x", "dockerd"), null);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (daemonAnswers() || HeadlessRuntime.run(List.of("pgrep", "-x", "dockerd"), null).status() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("dockerd did not stop");
            }
            Thread.sleep(200);
        }
    }

    /** Starts the daemon again the way the test command does (scripts/docker-up). */
    static void startDaemon(Path repo) throws IOException, InterruptedException {
        HeadlessRuntime.Result r = HeadlessRuntime.run(List.of(repo.resolve("scripts/docker-up").toString()), null);
        if (r.status() != 0) {
            throw new AssertionError("scripts/docker-up failed: " + r);
        }
    }
}
