package dev.apiary.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackerNameTest {

    @TempDir
    Path folder;

    /** A copy of {@link Probe}'s class file in a jar (or folder) whose manifest says {@code header}. */
    private Class<?> probeIn(boolean jar, String header) throws Exception {
        String entry = Probe.class.getName().replace('.', '/') + ".class";
        byte[] bytes;
        try (var in = Probe.class.getClassLoader().getResourceAsStream(entry)) {
            bytes = in.readAllBytes();
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (header != null) {
            manifest.getMainAttributes().putValue(TrackerName.HEADER, header);
        }
        Path where;
        if (jar) {
            where = folder.resolve("probe.jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(where), manifest)) {
                out.putNextEntry(new JarEntry(entry));
                out.write(bytes);
            }
        } else {
            where = folder.resolve("classes");
            Files.createDirectories(where.resolve(entry).getParent());
            Files.write(where.resolve(entry), bytes);
            Files.createDirectories(where.resolve("META-INF"));
            try (OutputStream out = Files.newOutputStream(where.resolve("META-INF/MANIFEST.MF"))) {
                manifest.write(out);
            }
        }
        // No parent delegation for the probe: the copy, not the test's own class, is loaded.
        URLClassLoader loader = new URLClassLoader(new URL[] {where.toUri().toURL()}, null);
        return Class.forName(Probe.class.getName(), false, loader);
    }

    public static final class Probe {
    }

    @Test
    void theNameIsTheManifestHeaderOfTheJarOrFolderTheClassComesFrom() throws Exception {
        assertEquals("door", TrackerName.of(probeIn(true, " door ")));
    }

    @Test
    void aClassFolderWithBndsManifestWorksAsInATrackersOwnTests() throws Exception {
        assertEquals("window", TrackerName.of(probeIn(false, "window")));
    }

    @Test
    void withoutTheHeaderItSaysWhatToSet() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TrackerName.of(probeIn(true, null)));
        assertTrue(e.getMessage().contains("set <apiary.tracker> in its pom"), e.getMessage());
    }
}
