package dev.apiary.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The assembled runtime started as a user starts it: {@code bin/apiary --headless --output FILE},
 * with its own control socket, and {@code bin/apiary -c} to talk to it.
 */
final class HeadlessRuntime implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path home;
    final Path events;
    final Path socket;
    final Path log;
    /** Where this runtime writes reports (apiary.reports). */
    final Path reports;
    private final Process process;
    private long readOffset;
    private final List<JsonNode> seen = new ArrayList<>();

    /** The result of one {@code bin/apiary -c} call. */
    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private HeadlessRuntime(Path home, Path dir) throws IOException {
        this.home = home;
        this.events = dir.resolve("events.jsonl");
        this.socket = dir.resolve("apiary.sock");
        this.log = dir.resolve("runtime.log");
        this.reports = dir.resolve("reports");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/apiary").toString(), "--headless", "--output", events.toString());
        pb.environment().put("APIARY_SOCKET", socket.toString());
        // Reports of the tests' containers go to the test's folder, not the machine's /var/lib/apiary.
        pb.environment().merge("APIARY_JAVA_OPTS", "-Dapiary.reports=" + reports, (had, more) -> had + " " + more);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        this.process = pb.start();
    }

    static HeadlessRuntime start(Path home, Path dir) throws Exception {
        HeadlessRuntime runtime = new HeadlessRuntime(home, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!runtime.process.isAlive()) {
                throw new AssertionError("the runtime exited with " + runtime.process.exitValue() + ":\n" + runtime.log());
            }
            if (Files.exists(runtime.socket)) {
                Result r = runtime.command("tracker:list");
                if (r.status() == 0 && lists(r, "exec", "running")) {
                    return runtime;
                }
            }
            Thread.sleep(200);
        }
        runtime.close();
        throw new AssertionError("the exec tracker did not start within 60 s:\n" + runtime.log());
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Whether {@code tracker:list}'s answer shows the tracker in that state. */
    static boolean lists(Result trackerList, String tracker, String state) {
        return trackerList.out().matches("(?s).*\\b" + tracker + "\\s+" + state + "\\b.*");
    }

    /** Whether {@code tracker:list} shows the tracker running now. */
    boolean trackerRunning(String tracker) throws IOException, InterruptedException {
        return lists(command("tracker:list"), tracker, "running");
    }

    /** Waits up to 20 s for {@code tracker:list} to show the tracker running. */
    void awaitTracker(String tracker) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Result list = command("tracker:list");
        while (!lists(list, tracker, "running")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the " + tracker + " tracker is not running: " + list + "\n" + log());
            }
            Thread.sleep(200);
            list = command("tracker:list");
        }
    }

    /** Runs {@code bin/apiary -c COMMANDS} against this runtime's socket. */
    Result command(String commands) throws IOException, InterruptedException {
        return run(List.of(home.resolve("bin/apiary").toString(), "-c", commands), socket);
    }

    /**
     * Runs {@code commands} through {@code bin/apiary -c} and checks that they are refused:
     * a non-zero status, {@code message} in what they print on stderr, and the runtime still up.
     */
    void assertRefused(String commands, String message) throws IOException, InterruptedException {
        Result r = command(commands);
        if (r.status() == 0) {
            throw new AssertionError(commands + " must fail: " + r);
        }
        if (!r.err().contains(message)) {
            throw new AssertionError(commands + " says '" + message + "': " + r);
        }
        if (!isAlive()) {
            throw new AssertionError("the runtime is still up after " + commands + ":\n" + log());
        }
    }

    static Result run(List<String> command, Path socket) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (socket != null) {
            pb.environment().put("APIARY_SOCKET", socket.toString());
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Waits for an event matching {@code match} in the JSON-lines output; every event seen so far counts. */
    JsonNode awaitEvent(Predicate<JsonNode> match, Duration timeout, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            readNew();
            for (JsonNode e : seen) {
                if (match.test(e)) {
                    return e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no event: " + what + " within " + timeout + "; " + seen.size()
                        + " events seen, the last ones:\n" + String.join("\n", seen.subList(Math.max(0, seen.size() - 15),
                        seen.size()).stream().map(JsonNode::toString).toList()) + "\nruntime log:\n" + log());
            }
            Thread.sleep(100);
        }
    }

    /** Every event seen so far that matches. */
    List<JsonNode> events(Predicate<JsonNode> match) throws IOException {
        readNew();
        return seen.stream().filter(match).toList();
    }

    private void readNew() throws IOException {
        if (!Files.exists(events)) {
            return;
        }
        byte[] all = Files.readAllBytes(events);
        int end = all.length;
        while (end > readOffset && all[end - 1] != '\n') {
            end--; // a line still being written
        }
        if (end <= readOffset) {
            return;
        }
        String chunk = new String(all, (int) readOffset, end - (int) readOffset, StandardCharsets.UTF_8);
        readOffset = end;
        for (String line : chunk.split("\n")) {
            if (!line.isBlank()) {
                seen.add(JSON.readTree(line));
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
