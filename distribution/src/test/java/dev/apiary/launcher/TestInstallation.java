package dev.apiary.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Constants;

/** An Apiary installation in a test's folder, with bundles that are a manifest and nothing else. */
final class TestInstallation {

    final ApiaryHome home;

    TestInstallation(Path root) throws IOException {
        this.home = new ApiaryHome(root);
        Files.createDirectories(home.bundles());
        Files.createDirectories(home.conf());
    }

    /**
     * A bundle in bundles/&lt;folder&gt;/ ("1", "2", ... or "shell").
     *
     * @param headers more manifest headers, e.g. Apiary-Tracker or Fragment-Host
     */
    Path bundle(String folder, String symbolicName, Map<String, String> headers) throws IOException {
        return jar(Files.createDirectories(home.bundles().resolve(folder)).resolve(symbolicName + ".jar"), symbolicName, headers);
    }

    /** A bundle outside bundles/, as an embedding program adds with Builder.bundle. */
    Path extra(String symbolicName) throws IOException {
        return jar(home.root().resolve(symbolicName + ".jar"), symbolicName, Map.of());
    }

    private static Path jar(Path jar, String symbolicName, Map<String, String> headers) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        main.putValue(Constants.BUNDLE_SYMBOLICNAME, symbolicName);
        main.putValue(Constants.BUNDLE_VERSION, "1.0.0");
        headers.forEach(main::putValue);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a manifest only
        }
        return jar;
    }
}
