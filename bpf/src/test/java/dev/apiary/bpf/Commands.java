package dev.apiary.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the commands (ip, ping) that the network tests set up their interfaces with. */
final class Commands {

    /** A finished command: its exit status and its output, stderr included. */
    record Result(int exit, String output) {
    }

    private Commands() {
    }

    /** Runs a command that must succeed; its output. */
    static String sh(String... cmd) throws Exception {
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed (" + r.exit() + "): " + r.output());
        }
        return r.output();
    }

    /** Runs a command, whatever its exit status; gives up after 30 s. */
    static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish");
        }
        return new Result(p.exitValue(), out);
    }
}
