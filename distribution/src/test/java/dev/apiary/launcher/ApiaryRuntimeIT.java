package dev.apiary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.apiary.bpf.testing.RequiresBpf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

/**
 * Boots the assembled distribution (target/apiary) through the embedding API, as bin/apiary
 * does, and talks to it through its control socket and through bin/apiary itself.
 */
@RequiresBpf
class ApiaryRuntimeIT {

    private static final Path ASSEMBLY = Path.of(System.getProperty("apiary.assembly", "target/apiary"));

    @TempDir
    static Path temp;
    static Path socket;
    static Path deploy;
    static Path conf;
    static Apiary apiary;

    @BeforeAll
    static void boot() throws Exception {
        Path run = Files.createDirectory(temp.resolve("run"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        socket = run.resolve("apiary.sock");
        deploy = Files.createDirectory(temp.resolve("deploy"));
        conf = Files.createDirectory(temp.resolve("conf"));
        Files.writeString(conf.resolve("dev.apiary.launcher.test.cfg"), "answer = 42\n");
        apiary = Apiary.builder()
                .home(ASSEMBLY)
                .controlSocket(socket)
                // the test's own folders, so the assembly is never modified
                .property("felix.fileinstall.dir", deploy + "," + conf)
                .property("apiary.output", temp.resolve("events.jsonl").toString())
                .build();
        apiary.start();
    }

    @AfterAll
    static void stop() {
        if (apiary != null) {
            apiary.close();
            assertTrue(!Files.exists(socket), "close() removes the control socket");
        }
    }

    @Test
    void everyBundleIsActive() {
        List<String> notActive = new ArrayList<>();
        for (Bundle bundle : apiary.framework().getBundleContext().getBundles()) {
            boolean fragment = bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (bundle.getState() != expected) {
                notActive.add(bundle.getSymbolicName());
            }
        }
        assertTrue(notActive.isEmpty(), "not active: " + notActive + "; all bundles:" + apiary.bundleStates());
        assertTrue(apiary.framework().getBundleContext().getBundles().length >= 20, apiary.bundleStates());
    }

    @Test
    void frameworkPropertiesTellBundlesHowTheyRun() {
        var context = apiary.framework().getBundleContext();
        assertEquals(ASSEMBLY.toAbsolutePath().normalize().toString(), context.getProperty("apiary.home"));
        assertEquals("embedded", context.getProperty("apiary.mode"));
        assertEquals(temp.resolve("events.jsonl").toString(), context.getProperty("apiary.output"));
        assertEquals(socket.toString(), context.getProperty("apiary.socket"));
    }

    @Test
    void startLevelsFollowTheBundleFoldersAndLoggingIsOnTheClassPath() {
        var context = apiary.framework().getBundleContext();
        assertEquals(1, startLevel(context, "org.apache.felix.gogo.runtime"));
        assertEquals(1, startLevel(context, "dev.apiary.bpf"));
        for (Bundle bundle : context.getBundles()) {
            String name = String.valueOf(bundle.getSymbolicName());
            assertFalse(name.startsWith("slf4j") || name.contains("spifly") || name.startsWith("org.objectweb.asm"),
                    name + ": logging comes from the class path, with no service loader mediator");
        }
        // bundles log through the SLF4J beside Felix, to its provider (slf4j-simple here), not to NOP
        assertEquals("org.slf4j.simple.SimpleLoggerFactory", org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName());
    }

    private static int startLevel(org.osgi.framework.BundleContext context, String symbolicName) {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle.adapt(org.osgi.framework.startlevel.BundleStartLevel.class).getStartLevel();
            }
        }
        throw new AssertionError(symbolicName + " is not installed:" + apiary.bundleStates());
    }

    @Test
    void gogoCommandsRunThroughTheControlSocket() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ControlClient.run(socket, "lb -s", out, err);
        String listing = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        for (String bundle : List.of("org.apache.felix.gogo.runtime", "org.apache.felix.scr", "dev.apiary.bpf", "dev.apiary.sdk", "dev.apiary.core")) {
            assertTrue(listing.contains(bundle), bundle + " missing in:\n" + listing);
        }
        assertTrue(listing.matches("(?s).*\\|Active\\s*\\|\\s*1\\|org.apache.felix.gogo.runtime.*"), listing);
    }

    @Test
    void resultsAreFormattedAndFailuresReported() throws Exception {
        assertEquals(new CommandResult(0, "5\n", ""), apiary.commands("x = 5; $x"));
        CommandResult level = apiary.commands("frameworklevel");
        assertEquals(new CommandResult(0, "Level is 1\n", ""), level);
        CommandResult missing = apiary.commands("nosuchcommand");
        assertEquals(1, missing.status());
        assertTrue(missing.errors().contains("Command not found: nosuchcommand"), missing.errors());
    }

    @Test
    void binApiaryTalksToTheRunningRuntime() throws Exception {
        Process ok = binApiary(List.of("-c", "frameworklevel"));
        assertTrue(ok.waitFor(60, TimeUnit.SECONDS));
        String out = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(ok.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ok.exitValue(), out + err);
        assertEquals("Level is 1\n", out);
        assertEquals("", err, "no second runtime was started (it would log)");

        Process failing = binApiary(List.of("-c", "nosuch"));
        assertTrue(failing.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, failing.exitValue());
        assertEquals("", new String(failing.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("Command not found: nosuch\n", new String(failing.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aSecondRuntimeIsRefusedBeforeItStarts() throws Exception {
        Process process = binApiary(List.of("--headless"));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, process.exitValue(), err);
        assertTrue(err.contains("another Apiary runtime is already running"), err);
        assertEquals(new CommandResult(0, "5\n", ""), apiary.commands("y = 5; $y"), "the first runtime still answers");
    }

    @Test
    void withoutRootItSaysSoAndDoesNotStart() throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                ASSEMBLY.resolve("bin/apiary").toString(), "--headless"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("APIARY_SOCKET", temp.resolve("nobody.sock").toString());
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(3, process.exitValue(), out + err);
        assertTrue(err.contains("not running as root (effective uid 65534)"), err);
        assertEquals("", out, "nothing on stdout: no framework started");
    }

    @Test
    void aBundleDroppedIntoDeployIsStartedAndRemovedWhenItsFileGoes() throws Exception {
        Path jar = deploy.resolve("dropped.jar");
        writeBundle(jar, "dev.apiary.launcher.test.dropped");
        awaitTrue(() -> state("dev.apiary.launcher.test.dropped").equals(Optional.of(Bundle.ACTIVE)),
                "dropped bundle active:" + apiary.bundleStates());
        Files.delete(jar);
        awaitTrue(() -> state("dev.apiary.launcher.test.dropped").isEmpty(), "dropped bundle uninstalled:" + apiary.bundleStates());
    }

    @Test
    void configurationFilesReachConfigAdmin() throws Exception {
        awaitTrue(() -> {
            try {
                return apiary.commands("(cm:getConfiguration dev.apiary.launcher.test) properties").output().matches("(?s).*answer\\s+42\n.*");
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }, "the configuration of conf/dev.apiary.launcher.test.cfg");
    }

    private static Optional<Integer> state(String symbolicName) {
        for (Bundle bundle : apiary.framework().getBundleContext().getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return Optional.of(bundle.getState());
            }
        }
        return Optional.empty();
    }

    private static Process binApiary(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ASSEMBLY.resolve("bin/apiary").toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("APIARY_SOCKET", socket.toString());
        return builder.start();
    }

    private static void writeBundle(Path jar, String symbolicName) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        main.putValue(Constants.BUNDLE_SYMBOLICNAME, symbolicName);
        main.putValue(Constants.BUNDLE_VERSION, "1.0.0");
        Path partial = jar.resolveSibling(jar.getFileName() + ".part"); // not matched by FileInstall's filter
        try (OutputStream out = Files.newOutputStream(partial); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a bundle with a manifest only
        }
        Files.move(partial, jar);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for " + what);
    }
}
