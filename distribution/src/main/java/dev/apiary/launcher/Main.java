package dev.apiary.launcher;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code bin/apiary}: parses the command line ({@link LaunchOptions}) and runs the runtime
 * ({@link Apiary}) in the mode asked for, or sends {@code -c} commands to the runtime that
 * already runs. Exit status: 0 ok, 1 failure, 2 wrong arguments, 3 missing prerequisites.
 */
public final class Main {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int MISSING_PREREQUISITE = 3;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (UsageException e) {
            System.err.println("apiary: " + e.getMessage());
            System.err.println("Try 'apiary --help'.");
            return USAGE;
        }
        ApiaryHome home = ApiaryHome.ofLauncher();
        try {
            return switch (options.mode()) {
                case HELP -> {
                    System.out.print(LaunchOptions.USAGE);
                    yield OK;
                }
                case COMMAND -> runCommands(options, home);
                case HEADLESS, INTERACTIVE -> runRuntime(options, home);
                case EMBEDDED -> throw new IllegalStateException("not a command line mode");
            };
        } catch (MissingPrerequisitesException e) {
            System.err.println("apiary: cannot start:");
            e.missing().forEach(m -> System.err.println("  - " + m));
            return MISSING_PREREQUISITE;
        } catch (ApiaryException e) {
            System.err.println("apiary: " + e.getMessage());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        }
    }

    /** {@code -c}: in the running runtime when one answers, else in a runtime of its own. */
    private static int runCommands(LaunchOptions options, ApiaryHome home) throws ApiaryException, InterruptedException {
        String commandLine = options.command().orElseThrow();
        Path socket = ControlSocket.configuredPath();
        try {
            return ControlClient.run(socket, commandLine, System.out, System.err);
        } catch (NoRuntimeException e) {
            // none runs: start one of our own below
        } catch (AccessDeniedException e) {
            System.err.println("apiary: " + e.getReason() + ": run it as root, e.g. sudo apiary -c '...'");
            return MISSING_PREREQUISITE;
        } catch (IOException e) {
            System.err.println("apiary: talking to the runtime on " + socket + " failed: " + e.getMessage());
            return FAILED;
        }
        List<String> missing = Prerequisites.missing();
        if (!missing.isEmpty()) {
            throw new MissingPrerequisitesException(missing);
        }
        redirectLogs(options.logFile());
        // Quieter than a long-running runtime: what -c prints should be its commands' output.
        configureLogging(home, Map.of("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        try (Apiary apiary = Apiary.builder().home(home.root()).mode(Mode.COMMAND).checkPrerequisites(false)
                .property("felix.log.level", "2").property("felix.fileinstall.log.level", "2").build()) {
            apiary.start();
            return apiary.commands(commandLine, System.out, System.err);
        }
    }

    /** The interactive shell or headless: until the shell exits, the framework stops, or a signal. */
    private static int runRuntime(LaunchOptions options, ApiaryHome home) throws ApiaryException, InterruptedException {
        List<String> missing = Prerequisites.missing();
        if (!missing.isEmpty()) {
            throw new MissingPrerequisitesException(missing);
        }
        Apiary.Builder builder = Apiary.builder().home(home.root()).mode(options.mode()).checkPrerequisites(false)
                .controlSocket(ControlSocket.configuredPath());
        if (options.mode() == Mode.INTERACTIVE) {
            builder.shell(true);
        } else {
            String output = options.output().orElse(LaunchOptions.STDOUT);
            if (!output.equals(LaunchOptions.STDOUT)) {
                Path file = Path.of(output).toAbsolutePath();
                Path folder = file.getParent();
                if (!Files.isDirectory(folder) || !Files.isWritable(folder)) {
                    throw new ApiaryException("--output " + output + ": folder " + folder + " does not exist or is not writable");
                }
                output = file.toString();
            }
            builder.property("apiary.output", output);
        }
        Optional<Path> log = logFile(options, home);
        redirectLogs(log);
        builder.property(LOG_PROPERTY, log.map(Path::toString).orElse("stderr"));
        configureLogging(home, Map.of());
        Apiary apiary = builder.build();
        if (options.mode() == Mode.HEADLESS) {
            // A requested stop is a normal end: exit 0, not the JVM's 128+signal.
            StopSignals.install(apiary::close, "TERM", "INT");
        }
        // Any other way out (SIGHUP, System.exit) still stops the bundles cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(apiary::close, "apiary-shutdown"));
        try {
            apiary.start();
            apiary.awaitStop();
        } finally {
            apiary.close();
        }
        return OK;
    }

    /** Framework property saying where the log goes (a file, or "stderr"), for the shell's banner. */
    static final String LOG_PROPERTY = "apiary.log";

    /**
     * Where the runtime's log goes: {@code --log FILE}; for the interactive shell without
     * {@code --verbose}, log/apiary.log under the installation (so the prompt is not buried in
     * framework lines), or stderr with a note when that folder cannot be written; else stderr.
     */
    static Optional<Path> logFile(LaunchOptions options, ApiaryHome home) {
        if (options.logFile().isPresent() || options.mode() != Mode.INTERACTIVE || options.verbose()) {
            return options.logFile();
        }
        Path file = home.root().resolve("log").resolve("apiary.log");
        try {
            Files.createDirectories(file.getParent());
            if (Files.isWritable(file.getParent())) {
                return Optional.of(file);
            }
        } catch (IOException e) {
            // said below
        }
        System.err.println("apiary: cannot write " + file + ": logging to the console");
        return Optional.empty();
    }

    /** Everything that would go to stderr goes to {@code log} (appended), when there is one. */
    private static void redirectLogs(Optional<Path> log) throws ApiaryException {
        if (log.isEmpty()) {
            return;
        }
        Path file = log.get().toAbsolutePath();
        try {
            System.setErr(new PrintStream(new FileOutputStream(file.toFile(), true), true, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ApiaryException("--log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * conf/logging.properties (slf4j-simple's and JUL's settings) as system properties, each
     * unless it is already set (-D in APIARY_JAVA_OPTS wins); {@code overrides} win over the file.
     */
    static void configureLogging(ApiaryHome home, Map<String, String> overrides) throws ApiaryException {
        overrides.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
        Path file = home.conf().resolve("logging.properties");
        if (!Files.isRegularFile(file)) {
            return;
        }
        Properties settings = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            settings.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new ApiaryException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (String key : settings.stringPropertyNames()) {
            if (System.getProperty(key) == null) {
                System.setProperty(key, settings.getProperty(key));
            }
        }
    }
}
