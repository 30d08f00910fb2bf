package dev.apiary.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The parsed command line of {@code bin/apiary}. Immutable.
 *
 * @param mode    what to do
 * @param output  where a headless runtime writes events ({@code -} for stdout); empty unless headless
 * @param command the Gogo command line of {@code -c}; empty unless {@link Mode#COMMAND}
 * @param logFile where logs go; empty for the default (the interactive shell: log/apiary.log under
 *                the installation; headless and -c: stderr)
 * @param verbose whether the interactive shell keeps logs on the console (stderr) instead of the log file
 */
public record LaunchOptions(Mode mode, Optional<String> output, Optional<String> command, Optional<Path> logFile,
        boolean verbose) {

    /** The value of {@code apiary.output} that means standard output. */
    public static final String STDOUT = "-";

    public LaunchOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(logFile, "logFile");
    }

    public static final String USAGE = """
            Usage: apiary [--log FILE | --verbose]             start Apiary with the interactive Gogo shell;
                                                               logs go to log/apiary.log in the installation
                   apiary --headless [--output FILE] [--log FILE]
                                                               start Apiary without a shell until SIGTERM/SIGINT;
                                                               events go to FILE as JSON lines (default -: stdout)
                   apiary -c 'COMMANDS'                        run Gogo commands and exit with their status:
                                                               in the Apiary already running on this machine
                                                               (through its control socket), else in one started
                                                               for them
                   apiary --aot-train                          (bin/apiary) train the JVM's AOT cache, lib/apiary.aot,
                                                               for this JDK: a runtime starts every tracker and stops;
                                                               the build does it (as root). Starts 0.2-0.8 s sooner
                   apiary --help                               print this help

            Options:
              -c, --command COMMANDS   Gogo command line, quoted as one argument, e.g. -c 'lb -s'
                  --headless           no shell; runs until SIGTERM or SIGINT
                  --output FILE        with --headless: where events go, - for stdout (the default)
                  --log FILE           append logs to FILE (default: log/apiary.log for the shell,
                                       stderr for --headless and -c)
              -v, --verbose            the shell: logs on the console instead of the log file
              -h, --help               this help

            Apiary needs root (or CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN) and a kernel
            with BTF (/sys/kernel/btf/vmlinux).

            Environment:
              APIARY_SOCKET      control socket path (default /run/apiary/apiary.sock)
              APIARY_JAVA_OPTS   extra JVM options (bin/apiary)
              JAVA_HOME          the JDK 25 to run with (bin/apiary)

            Exit status: 0 ok; 1 a command or the runtime failed; 2 wrong arguments;
                         3 a prerequisite (root, BPF) is missing.
            """;

    /**
     * Parses {@code bin/apiary}'s arguments.
     *
     * @throws UsageException with a message naming the wrong argument
     */
    public static LaunchOptions parse(List<String> args) throws UsageException {
        if (args.contains("--help") || args.contains("-h")) {
            return new LaunchOptions(Mode.HELP, Optional.empty(), Optional.empty(), Optional.empty(), false);
        }
        boolean headless = false;
        String output = null;
        String command = null;
        Path logFile = null;
        boolean verbose = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String inlineValue = null;
            if (arg.startsWith("--") && arg.contains("=")) {
                name = arg.substring(0, arg.indexOf('='));
                inlineValue = arg.substring(arg.indexOf('=') + 1);
            }
            switch (name) {
                case "--headless" -> {
                    if (inlineValue != null) {
                        throw new UsageException("--headless takes no value (got '" + arg + "')");
                    }
                    if (headless) {
                        throw new UsageException("--headless is given twice");
                    }
                    headless = true;
                }
                case "--output" -> {
                    if (output != null) {
                        throw new UsageException("--output is given twice");
                    }
                    output = inlineValue != null ? inlineValue : valueOf(args, i++, name, "a file, or - for stdout");
                    if (output.isBlank()) {
                        throw new UsageException("--output needs a file, or - for stdout");
                    }
                }
                case "--log" -> {
                    if (logFile != null) {
                        throw new UsageException("--log is given twice");
                    }
                    String value = inlineValue != null ? inlineValue : valueOf(args, i++, name, "a file");
                    if (value.isBlank() || value.equals(STDOUT)) {
                        throw new UsageException("--log needs a file (logs go to stderr without it; never to stdout)");
                    }
                    logFile = Path.of(value);
                }
                case "-v", "--verbose" -> {
                    if (inlineValue != null) {
                        throw new UsageException("--verbose takes no value (got '" + arg + "')");
                    }
                    verbose = true;
                }
                case "-c", "--command" -> {
                    if (command != null) {
                        throw new UsageException(name + " is given twice: put all commands in one argument, separated by ';'");
                    }
                    command = inlineValue != null ? inlineValue : valueOf(args, i++, name, "a Gogo command line, e.g. -c 'lb -s'");
                    if (command.isBlank()) {
                        throw new UsageException(name + " needs a Gogo command line, e.g. -c 'lb -s'");
                    }
                }
                default -> {
                    if (command != null && !arg.startsWith("-")) {
                        throw new UsageException("unexpected argument '" + arg + "' after -c: quote the whole command line"
                                + " as one argument, e.g. apiary -c '" + command + " " + arg + "'");
                    }
                    if (arg.startsWith("-")) {
                        throw new UsageException("unknown option '" + arg + "'");
                    }
                    throw new UsageException("unexpected argument '" + arg + "'");
                }
            }
        }
        if (command != null && headless) {
            throw new UsageException("-c runs commands and exits; it cannot be combined with --headless");
        }
        if (output != null && !headless) {
            throw new UsageException("--output is only for --headless (the interactive shell and -c print to the terminal)");
        }
        if (verbose && (headless || command != null)) {
            throw new UsageException("--verbose is for the interactive shell (--headless and -c log to stderr already)");
        }
        if (verbose && logFile != null) {
            throw new UsageException("--verbose keeps logs on the console; --log sends them to a file: choose one");
        }
        Mode mode = command != null ? Mode.COMMAND : headless ? Mode.HEADLESS : Mode.INTERACTIVE;
        if (mode == Mode.HEADLESS && output == null) {
            output = STDOUT;
        }
        return new LaunchOptions(mode, Optional.ofNullable(output), Optional.ofNullable(command), Optional.ofNullable(logFile),
                verbose);
    }

    private static String valueOf(List<String> args, int index, String option, String what) throws UsageException {
        if (index + 1 >= args.size()) {
            throw new UsageException(option + " needs " + what);
        }
        String value = args.get(index + 1);
        if (value.startsWith("--")) {
            throw new UsageException(option + " needs " + what + " (got the option '" + value + "')");
        }
        return value;
    }
}
