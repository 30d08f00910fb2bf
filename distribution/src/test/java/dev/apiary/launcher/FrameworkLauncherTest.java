package dev.apiary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/** The framework's start-up and stop, with a real Felix and bundles that are a manifest only. */
class FrameworkLauncherTest {

    private static final Map<String, String> NONE = Map.of();

    @TempDir
    Path root;

    private FrameworkLauncher launcher;

    @AfterEach
    void stop() {
        if (launcher != null) {
            launcher.stop();
        }
    }

    private FrameworkLauncher launcher(TestInstallation installation, Map<String, String> properties,
            List<FrameworkLauncher.ExtraBundle> extras, boolean shell, Set<String> trackers) {
        launcher = new FrameworkLauncher(installation.home, properties, extras, shell, null, Mode.EMBEDDED, trackers);
        return launcher;
    }

    @Test
    void theLayoutPutsTheShellAboveTheLastLevelAndMakesDeploy() throws Exception {
        TestInstallation installation = new TestInstallation(root);
        installation.bundle("1", "one", NONE);
        installation.bundle("3", "three", NONE);
        Path gogoJline = installation.bundle("shell", "jline", NONE);

        FrameworkLauncher.Layout plain = launcher(installation, NONE, List.of(), false, null).layout();
        assertEquals(List.of(1, 3), List.copyOf(plain.levels().keySet()));
        assertEquals(3, plain.beginning());
        assertEquals(List.of(), plain.shellBundles());
        assertTrue(Files.isDirectory(installation.home.deploy()));

        FrameworkLauncher.Layout withShell = launcher(installation, NONE, List.of(), true, null).layout();
        assertEquals(3 + FrameworkLauncher.SHELL_START_LEVEL_OFFSET, withShell.beginning());
        assertEquals(List.of(gogoJline), withShell.shellBundles());
        assertEquals(3, withShell.lastLevel());

        var high = new FrameworkLauncher.ExtraBundle(installation.extra("mine"), 7);
        assertEquals(7, launcher(installation, NONE, List.of(high), false, null).layout().beginning(),
                "an extra bundle's level is reached too");
    }

    @Test
    void anInstallationWithoutBundlesIsRefused() throws Exception {
        TestInstallation installation = new TestInstallation(root);
        var empty = assertThrows(ApiaryException.class, () -> launcher(installation, NONE, List.of(), false, null).layout());
        assertTrue(empty.getMessage().startsWith("no bundles in "), empty.getMessage());

        installation.bundle("1", "one", NONE);
        var noShell = assertThrows(ApiaryException.class, () -> launcher(installation, NONE, List.of(), true, null).layout());
        assertTrue(noShell.getMessage().startsWith("no shell bundles in "), noShell.getMessage());

        var notHome = new FrameworkLauncher(new ApiaryHome(root.resolve("nowhere")), NONE, List.of(), false, null,
                Mode.EMBEDDED, null);
        assertTrue(assertThrows(ApiaryException.class, notHome::layout).getMessage().contains("no bundles/ folder"));
    }

    @Test
    void propertiesAreTheDefaultsThenTheFileThenTheBuilders() throws Exception {
        TestInstallation installation = new TestInstallation(root);
        Files.writeString(installation.home.conf().resolve("framework.properties"),
                "felix.log.level = 1\nmy.folder = ${apiary.home}/data\nfelix.fileinstall.poll = 500\n");
        Path socket = root.resolve("run/apiary.sock");
        launcher = new FrameworkLauncher(installation.home, Map.of("felix.fileinstall.poll", "50"), List.of(), false,
                socket, Mode.HEADLESS, null);

        Map<String, String> p = launcher.frameworkProperties(4, 3);
        assertEquals("4", p.get(Constants.FRAMEWORK_BEGINNING_STARTLEVEL));
        assertEquals("3", p.get("felix.startlevel.bundle"));
        assertEquals("3", p.get("felix.fileinstall.start.level"));
        assertEquals(installation.home.deploy() + "," + installation.home.conf(), p.get("felix.fileinstall.dir"));
        assertEquals(installation.home.root().toString(), p.get("apiary.home"));
        assertEquals(installation.home.root().toString(), p.get("gosh.home"));
        assertEquals("headless", p.get("apiary.mode"));
        assertEquals(socket.toString(), p.get(ControlSocket.PROPERTY));
        assertEquals("1", p.get("felix.log.level"), "the file wins over the defaults");
        assertEquals(installation.home.root() + "/data", p.get("my.folder"), "${apiary.home} is the installation");
        assertEquals("50", p.get("felix.fileinstall.poll"), "the builder wins over the file");
        assertNull(launcher(installation, NONE, List.of(), false, null).frameworkProperties(1, 1).get(ControlSocket.PROPERTY));
    }

    @Test
    void bundlesStartByLevelTheChosenTrackersOnlyAndStopDeletesTheStorage() throws Exception {
        TestInstallation installation = new TestInstallation(root);
        installation.bundle("1", "host", NONE);
        installation.bundle("2", "fragment", Map.of(Constants.FRAGMENT_HOST, "host"));
        installation.bundle("2", "exec", Map.of(FrameworkLauncher.TRACKER_HEADER, "exec"));
        installation.bundle("2", "file", Map.of(FrameworkLauncher.TRACKER_HEADER, " file "));
        var extra = new FrameworkLauncher.ExtraBundle(installation.extra("extra"), 0);
        FrameworkLauncher l = launcher(installation, NONE, List.of(extra), false, Set.of("exec"));

        Framework framework = l.start(l.layout());
        assertEquals(framework, l.framework());
        assertEquals(2, framework.adapt(FrameworkStartLevel.class).getStartLevel(), "start() returns at the beginning level");
        assertEquals(Bundle.ACTIVE, state(framework, "host"));
        assertEquals(1, level(framework, "host"));
        assertEquals(Bundle.RESOLVED, state(framework, "fragment"), "a fragment is resolved, never started");
        assertEquals(Bundle.ACTIVE, state(framework, "exec"));
        assertTrue(state(framework, "file") != Bundle.ACTIVE, "a tracker not chosen is installed, not started");
        assertEquals(Bundle.ACTIVE, state(framework, "extra"));
        assertEquals(2, level(framework, "extra"), "level 0: the last of bundles/");
        assertTrue(l.bundleStates().contains("ACTIVE     host 1.0.0"), l.bundleStates());
        Path storage = Path.of(framework.getBundleContext().getProperty(Constants.FRAMEWORK_STORAGE));
        assertTrue(Files.isDirectory(storage));

        l.stop();
        assertEquals(Bundle.RESOLVED, framework.getState(), "stopped");
        assertFalse(Files.exists(storage), "the storage is deleted");
        assertEquals("(framework not running)", l.bundleStates());
    }

    @Test
    void aChosenTrackerThatIsNotThereFailsTheStartAndStopCleansUp() throws Exception {
        TestInstallation installation = new TestInstallation(root);
        installation.bundle("1", "exec", Map.of(FrameworkLauncher.TRACKER_HEADER, "exec"));
        FrameworkLauncher l = launcher(installation, NONE, List.of(), false, Set.of("exec", "tcp"));

        var missing = assertThrows(ApiaryException.class, () -> l.start(l.layout()));
        assertEquals("no tracker named tcp in " + installation.home.bundles() + "; there are: exec", missing.getMessage());
        Path storage = Path.of(l.framework().getBundleContext().getProperty(Constants.FRAMEWORK_STORAGE));
        l.stop();
        assertFalse(Files.exists(storage));
    }

    @Test
    void bundlesImportSlf4jFromTheClassPathWithoutAServiceLoaderMediator() throws Exception {
        TestInstallation installation = new TestInstallation(root);
        installation.bundle("1", "logs", Map.of(Constants.IMPORT_PACKAGE,
                "org.slf4j;version=\"[2.0,3)\",org.slf4j.spi;version=\"[2.0,3)\""));
        Files.writeString(installation.home.conf().resolve("framework.properties"),
                "org.osgi.framework.system.packages.extra = sun.misc\n");
        FrameworkLauncher l = launcher(installation, NONE, List.of(), false, null);

        String extra = l.frameworkProperties(1, 1).get(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA);
        assertTrue(extra.startsWith(LoggingPackages.exports(LoggingPackages.versionOn(getClass().getClassLoader()))), extra);
        assertTrue(extra.endsWith(",sun.misc"), "a system.packages.extra of conf/ is kept: " + extra);
        Framework framework = l.start(l.layout());
        assertEquals(Bundle.ACTIVE, state(framework, "logs"), "org.slf4j resolves from the system bundle");
    }

    @Test
    void slf4jMustBeBesideFelix() throws Exception {
        try (var bare = new java.net.URLClassLoader(new java.net.URL[0], null)) {
            var missing = assertThrows(ApiaryException.class, () -> LoggingPackages.versionOn(bare));
            assertTrue(missing.getMessage().startsWith("SLF4J (slf4j-api 2.x) is not on the class path"), missing.getMessage());
        }
        String version = LoggingPackages.versionOn(getClass().getClassLoader());
        assertTrue(version.matches("2\\.\\d+\\.\\d+"), version);
        assertEquals("org.slf4j;version=\"2.0.17\",org.slf4j.event;version=\"2.0.17\",org.slf4j.helpers;version=\"2.0.17\","
                + "org.slf4j.spi;version=\"2.0.17\"", LoggingPackages.exports("2.0.17"));
    }

    @Test
    void stopBeforeStartDoesNothing() {
        FrameworkLauncher l = new FrameworkLauncher(new ApiaryHome(root), NONE, List.of(), false, null, Mode.EMBEDDED, null);
        l.stop();
        assertNull(l.framework());
    }

    private static int state(Framework framework, String symbolicName) {
        return bundle(framework, symbolicName).getState();
    }

    private static int level(Framework framework, String symbolicName) {
        return bundle(framework, symbolicName).adapt(BundleStartLevel.class).getStartLevel();
    }

    private static Bundle bundle(Framework framework, String symbolicName) {
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed");
    }
}
