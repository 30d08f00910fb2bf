package dev.apiary.core.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackerSourcesTest {

    @TempDir
    Path dir;

    @Test
    void aMavenCoordinateIsFoundInTheLocalRepositoryInBothSpellings() throws IOException {
        String home = System.getProperty("user.home");
        Path repo = dir.resolve("repo");
        Path jar = repo.resolve("com/example/hello-tracker/1.2.0/hello-tracker-1.2.0.jar");
        Files.createDirectories(jar.getParent());
        writeJar(jar, "com.example.hello", "hello");
        Path classified = repo.resolve("com/example/hello-tracker/1.2.0/hello-tracker-1.2.0-bpf.jar");
        writeJar(classified, "com.example.hello", "hello");
        System.setProperty("user.home", dir.toString()); // ~/.m2/repository does not exist there
        try {
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> TrackerSources.toUrl("com.example:hello-tracker:1.2.0", null));
            assertTrue(missing.getMessage().startsWith("no com.example:hello-tracker:1.2.0 in the local Maven repository"),
                    missing.getMessage());
            assertTrue(missing.getMessage().contains("mvn install"), missing.getMessage());
        } finally {
            System.setProperty("user.home", home);
        }
        Files.createDirectories(dir.resolve(".m2"));
        Files.move(repo, dir.resolve(".m2/repository"));
        System.setProperty("user.home", dir.toString());
        try {
            Path found = dir.resolve(".m2/repository/com/example/hello-tracker/1.2.0/hello-tracker-1.2.0.jar");
            assertEquals(found.toUri().toString(), TrackerSources.toUrl("com.example:hello-tracker:1.2.0", null));
            assertEquals(found.toUri().toString(), TrackerSources.toUrl("mvn:com.example/hello-tracker/1.2.0", null));
            assertEquals(found.resolveSibling("hello-tracker-1.2.0-bpf.jar").toUri().toString(),
                    TrackerSources.toUrl("com.example:hello-tracker:1.2.0:bpf", null));
            assertEquals("hello", TrackerSources.trackerName(TrackerSources.toUrl("com.example:hello-tracker:1.2.0", null)));
        } finally {
            System.setProperty("user.home", home);
        }
    }

    @Test
    void eachWrongJarSaysWhatToFix() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.jar"), "not a zip at all");
        Path plain = dir.resolve("plain.jar");
        writeJar(plain, null, null);
        Path bundle = dir.resolve("bundle.jar");
        writeJar(bundle, "com.example.lib", null);

        assertEquals("no such file: " + dir.resolve("missing.jar"),
                assertThrows(IllegalArgumentException.class, () -> TrackerSources.toUrl(dir.resolve("missing.jar").toString(),
                        null)).getMessage());
        assertTrue(message(text).endsWith("notes.jar is not a jar (it is not a zip file)"), message(text));
        assertTrue(message(plain).endsWith("is a jar but not an OSGi bundle: its manifest has no Bundle-SymbolicName"
                + " (build trackers with apiary-tracker-parent as the Maven parent)"), message(plain));
        assertTrue(message(bundle).contains("is a bundle but not a tracker: its manifest has no Apiary-Tracker header"),
                message(bundle));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrackerSources.toUrl("ftp://host/x.jar", null))
                .getMessage().startsWith("cannot install from a ftp: URL"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrackerSources.toUrl("mvn:only/two", null))
                .getMessage().contains("is not a Maven coordinate"));
    }

    private String message(Path jar) {
        return assertThrows(IllegalArgumentException.class,
                () -> TrackerSources.trackerName(TrackerSources.toUrl(jar.toString(), null))).getMessage();
    }

    private static void writeJar(Path path, String symbolicName, String tracker) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            mf.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        if (tracker != null) {
            mf.getMainAttributes().putValue("Apiary-Tracker", tracker);
        }
        try (OutputStream out = Files.newOutputStream(path); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.flush();
        }
    }
}
