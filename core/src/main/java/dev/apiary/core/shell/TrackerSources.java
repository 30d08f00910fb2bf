package dev.apiary.core.shell;

import dev.apiary.core.tracker.TrackerManager;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;

/**
 * Where {@code tracker:install} and {@code tracker:update} take a tracker jar from — a path,
 * a URL, or a Maven coordinate in the local repository — and the checks that give a wrong
 * one a message saying what to fix.
 */
final class TrackerSources {

    /** Framework property naming the local Maven repository; default {@code ~/.m2/repository}. */
    static final String MAVEN_REPO_PROPERTY = "apiary.maven.repo";

    /** group:artifact:version[:classifier] */
    private static final Pattern COORDINATE = Pattern.compile("([\\w.-]+):([\\w.-]+):([\\w.-]+)(?::([\\w.-]+))?");
    /** mvn:group/artifact/version[/jar/classifier], as Karaf and pax-url write it */
    private static final Pattern MVN_URL = Pattern.compile("mvn:([\\w.-]+)/([\\w.-]+)/([\\w.-]+)(?:/jar(?:/([\\w.-]+))?)?");

    private TrackerSources() {
    }

    /**
     * The URL of the jar {@code location} names.
     *
     * @throws IllegalArgumentException naming what was looked for, when there is no such file or jar
     */
    static String toUrl(String location, BundleContext context) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("give a path, URL or Maven coordinate of a tracker jar");
        }
        String l = location.trim();
        Matcher m = (l.startsWith("mvn:") ? MVN_URL : COORDINATE).matcher(l);
        if (m.matches()) {
            return fromLocalRepository(m.group(1), m.group(2), m.group(3), m.group(4), context).toUri().toString();
        }
        if (l.startsWith("mvn:")) {
            throw new IllegalArgumentException("'" + l + "' is not a Maven coordinate: write group:artifact:version"
                    + " or mvn:group/artifact/version");
        }
        try {
            URI uri = new URI(l);
            if (uri.getScheme() != null && uri.getScheme().length() > 1) {
                if (!uri.getScheme().equals("file") && !uri.getScheme().equals("http") && !uri.getScheme().equals("https")) {
                    throw new IllegalArgumentException("cannot install from a " + uri.getScheme()
                            + ": URL; give a path, a file:, http: or https: URL, or a Maven coordinate");
                }
                if (uri.getScheme().equals("file") && !Files.isRegularFile(Path.of(uri))) {
                    throw new IllegalArgumentException("no such file: " + Path.of(uri));
                }
                return uri.toString();
            }
        } catch (URISyntaxException e) {
            // a path with characters URIs do not allow
        }
        Path path = Path.of(l).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no such file: " + path);
        }
        return path.toUri().toString();
    }

    private static Path fromLocalRepository(String group, String artifact, String version, String classifier,
            BundleContext context) {
        String configured = context == null ? null : context.getProperty(MAVEN_REPO_PROPERTY);
        Path repo = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        Path jar = repo.resolve(group.replace('.', '/')).resolve(artifact).resolve(version)
                .resolve(artifact + "-" + version + (classifier == null ? "" : "-" + classifier) + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no " + group + ":" + artifact + ":" + version
                    + (classifier == null ? "" : ":" + classifier) + " in the local Maven repository (looked for " + jar
                    + "); run 'mvn install' in the tracker's project, or set " + MAVEN_REPO_PROPERTY);
        }
        return jar;
    }

    /**
     * The tracker name the jar at {@code url} declares.
     *
     * @throws IllegalArgumentException when it cannot be read, is not a jar, not an OSGi bundle, or not a tracker
     */
    static String trackerName(String url) throws IOException {
        Manifest mf;
        try (InputStream in = new java.io.BufferedInputStream(URI.create(url).toURL().openStream())) {
            in.mark(4);
            byte[] magic = in.readNBytes(4);
            in.reset();
            if (magic.length < 4 || magic[0] != 'P' || magic[1] != 'K') {
                throw new IllegalArgumentException(url + " is not a jar (it is not a zip file)");
            }
            try (JarInputStream jar = new JarInputStream(in)) {
                mf = jar.getManifest();
            }
        } catch (ZipException e) {
            throw new IllegalArgumentException(url + " is not a jar: " + e.getMessage());
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("cannot read " + url + ": not found");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + url + ": " + e);
        }
        if (mf == null) {
            throw new IllegalArgumentException(url + " is not an OSGi bundle: the jar has no manifest (build trackers "
                    + "with apiary-tracker-parent as the Maven parent)");
        }
        if (mf.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) == null) {
            throw new IllegalArgumentException(url + " is a jar but not an OSGi bundle: its manifest has no "
                    + Constants.BUNDLE_SYMBOLICNAME + " (build trackers with apiary-tracker-parent as the Maven parent)");
        }
        String name = mf.getMainAttributes().getValue(TrackerManager.TRACKER_HEADER);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(url + " is a bundle but not a tracker: its manifest has no "
                    + TrackerManager.TRACKER_HEADER + " header (apiary-tracker-parent sets it from the property apiary.tracker)");
        }
        if (!TrackerManager.NAME.matcher(name.trim()).matches()) {
            throw new IllegalArgumentException(url + ": its " + TrackerManager.TRACKER_HEADER + " header '" + name.trim()
                    + "' is not a tracker name: lower case letters, digits, '-' and '_', starting with a letter, at most 32");
        }
        return name.trim();
    }

    /** A Felix install/start/update failure in words a tracker author can act on. */
    static String explain(BundleException e, BundleContext context) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e.getType() == BundleException.RESOLVE_ERROR && message.contains("dev.apiary.sdk")) {
            String sdk = "";
            for (Bundle b : context.getBundles()) {
                if ("dev.apiary.sdk".equals(b.getSymbolicName())) {
                    sdk = " (this runtime has apiary-sdk " + b.getVersion() + ")";
                }
            }
            return message + ": it was built against an apiary-sdk this runtime does not have" + sdk
                    + "; rebuild it against this runtime's SDK";
        }
        if (e.getType() == BundleException.RESOLVE_ERROR) {
            return message + ": a package it imports is exported by no installed bundle; embed that library in the"
                    + " tracker's bundle or install it first";
        }
        if (e.getType() == BundleException.DUPLICATE_BUNDLE_ERROR) {
            return message + ": a bundle with this symbolic name and version is installed already";
        }
        return message;
    }
}
