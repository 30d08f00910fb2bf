package dev.apiary.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A tracker's name where it is declared, once: the {@value #HEADER} header of its bundle's
 * manifest, which {@code apiary-tracker-parent} writes from the tracker pom's
 * {@code <apiary.tracker>} property. {@link Tracker#name()} returns it by default, and a
 * tracker's constant is {@code TrackerName.of(MyTracker.class)}.
 *
 * <p>In the OSGi runtime the header is read from the class's bundle; on a plain class path (a
 * tracker's unit tests) from the manifest beside the class ({@code target/classes/META-INF/
 * MANIFEST.MF}, which bnd writes before the tests run, or the jar's). Read once per class;
 * safe for concurrent use.
 */
public final class TrackerName {

    /** The manifest header core finds trackers by. */
    public static final String HEADER = "Apiary-Tracker";

    private static final ClassValue<String> NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            String name = InBundle.header(type);
            if (name == null) {
                name = besideTheClass(type);
            }
            if (name == null || name.isBlank()) {
                throw new IllegalStateException(type.getName() + " is in no bundle or jar with an " + HEADER
                        + " header: build the tracker with apiary-tracker-parent and set <apiary.tracker> in its pom");
            }
            return name.strip();
        }
    };

    private TrackerName() {
    }

    /**
     * The {@value #HEADER} of the bundle (or jar, or class folder) that holds {@code trackerClass}.
     *
     * @throws IllegalStateException when there is none
     */
    public static String of(Class<?> trackerClass) {
        return NAMES.get(trackerClass);
    }

    /** The header from the class's own manifest on a plain class path, or null. */
    private static String besideTheClass(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null || !"file".equals(location.getProtocol())) {
            return null;
        }
        try {
            Path where = Path.of(location.toURI());
            if (Files.isDirectory(where)) {
                Path file = where.resolve("META-INF/MANIFEST.MF");
                if (!Files.isRegularFile(file)) {
                    return null;
                }
                try (InputStream in = Files.newInputStream(file)) {
                    return new Manifest(in).getMainAttributes().getValue(HEADER);
                }
            }
            try (JarFile jar = new JarFile(where.toFile())) {
                Manifest manifest = jar.getManifest();
                return manifest == null ? null : manifest.getMainAttributes().getValue(HEADER);
            }
        } catch (URISyntaxException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + location, e);
        }
    }

    /** The OSGi lookup, apart so that a class path without the framework API never links it. */
    private static final class InBundle {
        static String header(Class<?> type) {
            try {
                org.osgi.framework.Bundle bundle = org.osgi.framework.FrameworkUtil.getBundle(type);
                return bundle == null ? null : bundle.getHeaders().get(HEADER);
            } catch (NoClassDefFoundError noFramework) {
                return null;
            }
        }
    }
}
