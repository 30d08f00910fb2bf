package dev.apiary.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What {@code bin/apiary --aot-train} runs on the host while its training runtime traces
 * everything: opens and closes of one file, loopback connect/accept/close cycles and execs of
 * a small program, in rounds. The JVM records which methods ran and their profiles (JDK 25,
 * JEP 515) and the AOT cache keeps them, so a runtime started from the cache compiles its
 * event path (ring, decoders, container lookup, the JSON writer) at once instead of running
 * it in the interpreter through the first storm. A process of its own, not part of the
 * runtime: the runtime traces it like any other.
 *
 * <pre>java -cp apiary-launcher.jar dev.apiary.launcher.AotTrainingWorkload DIR [ROUNDS]</pre>
 *
 * DIR is a directory it may write one file into. Prints one line, {@code opens=N tcp=N
 * execs=N}, what it did in all. Exit status 0, or 1 with a message if something failed.
 */
public final class AotTrainingWorkload {

    /** Per round; three rounds of these took 28% off the first open storm's CPU (docs/runtime.md, "Start-up"). */
    static final int OPENS = 30_000;
    static final int TCP_CYCLES = 2_000;
    static final int EXECS = 500;
    static final int ROUNDS = 3;

    private AotTrainingWorkload() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: AotTrainingWorkload DIR [ROUNDS]");
            System.exit(2);
        }
        try {
            Counts done = run(Path.of(args[0]), args.length == 2 ? Integer.parseInt(args[1]) : ROUNDS);
            System.out.println(done);
        } catch (IOException | UncheckedIOException | InterruptedException | NumberFormatException e) {
            System.err.println("apiary: the AOT training workload failed: " + e);
            System.exit(1);
        }
    }

    /** What a run did. */
    record Counts(int opens, int tcpCycles, int execs) {
        @Override
        public String toString() {
            return "opens=" + opens + " tcp=" + tcpCycles + " execs=" + execs;
        }
    }

    /** Runs {@code rounds} rounds, each of opens, tcp cycles and execs; the file it opens is removed after. */
    static Counts run(Path dir, int rounds) throws IOException, InterruptedException {
        Path file = Files.writeString(dir.resolve("aot-training-open-me"), "opened by the AOT training\n");
        Path exe = trueProgram();
        int opens = 0;
        int cycles = 0;
        int execs = 0;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            for (int round = 0; round < rounds; round++) {
                opens += open(file, OPENS);
                cycles += connect(listener, address, TCP_CYCLES);
                execs += exec(exe, EXECS);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return new Counts(opens, cycles, execs);
    }

    private static int open(Path file, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            try (FileChannel ignored = FileChannel.open(file, StandardOpenOption.READ)) {
                // the open and the close are the events
            }
        }
        return times;
    }

    /** Connect, accept, close: the accepted side first, as bench/tcp's storm does. */
    private static int connect(ServerSocket listener, InetSocketAddress address, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            try (Socket client = new Socket()) {
                client.connect(address);
                listener.accept().close();
            }
        }
        return times;
    }

    private static int exec(Path exe, int times) throws IOException, InterruptedException {
        for (int i = 0; i < times; i++) {
            Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() != 0) {
                throw new IOException(exe + " exited with " + p.exitValue());
            }
        }
        return times;
    }

    private static Path trueProgram() throws IOException {
        for (String candidate : new String[] {"/bin/true", "/usr/bin/true"}) {
            Path p = Path.of(candidate);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IOException("no /bin/true or /usr/bin/true to exec");
    }
}
