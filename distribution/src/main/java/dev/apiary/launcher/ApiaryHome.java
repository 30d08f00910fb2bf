package dev.apiary.launcher;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The layout of an Apiary installation (what the distribution assembles into target/apiary/):
 * <pre>
 * bin/apiary                  the start script
 * lib/                        the launcher jar and the Felix framework
 * bundles/&lt;start level&gt;/*.jar  installed and started at that start level (1, 2, 3, ...; trackers last, side by side)
 * bundles/shell/*.jar         gogo.jline + jline: installed only for the interactive shell
 * conf/framework.properties   framework properties (optional)
 * conf/logging.properties     slf4j-simple and JUL settings, applied as system properties (optional)
 * conf/*.cfg                  configurations, given to Config Admin by FileInstall (watched)
 * deploy/                     bundles dropped here are installed and started, removed ones uninstalled
 * </pre>
 * Immutable; reading the bundle folders touches the file system each time.
 *
 * @param root the installation folder
 */
public record ApiaryHome(Path root) {

    /** The folder of the shell bundles, under bundles/. */
    public static final String SHELL = "shell";

    public ApiaryHome {
        root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /**
     * The installation this launcher belongs to: the system property {@code apiary.home}
     * (bin/apiary sets it), else the parent of the lib/ folder holding the launcher jar.
     */
    public static ApiaryHome ofLauncher() {
        String property = System.getProperty("apiary.home");
        if (property != null && !property.isBlank()) {
            return new ApiaryHome(Path.of(property));
        }
        try {
            Path jar = Path.of(ApiaryHome.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return new ApiaryHome(jar.getParent().getParent());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where Apiary is installed: set the system property apiary.home", e);
        }
    }

    public Path bundles() {
        return root.resolve("bundles");
    }

    public Path conf() {
        return root.resolve("conf");
    }

    public Path deploy() {
        return root.resolve("deploy");
    }

    /**
     * The bundles of bundles/&lt;n&gt;/ by start level n, each level's jars sorted by file name.
     *
     * @throws IOException when bundles/ is missing or unreadable, or holds a folder that is
     *                     neither a start level nor {@value #SHELL}
     */
    public SortedMap<Integer, List<Path>> bundlesByStartLevel() throws IOException {
        if (!Files.isDirectory(bundles())) {
            throw new IOException("no bundles/ folder in " + root + ": is this an Apiary installation (target/apiary)?");
        }
        SortedMap<Integer, List<Path>> levels = new TreeMap<>();
        try (Stream<Path> folders = Files.list(bundles())) {
            for (Path folder : folders.filter(Files::isDirectory).toList()) {
                String name = folder.getFileName().toString();
                if (name.equals(SHELL)) {
                    continue;
                }
                int level;
                try {
                    level = Integer.parseInt(name);
                } catch (NumberFormatException e) {
                    throw new IOException("bundles/" + name + " is not a start level: bundles/ holds folders 1, 2, 3, ... and shell");
                }
                if (level < 1) {
                    throw new IOException("bundles/" + name + ": start levels begin at 1");
                }
                levels.put(level, jars(folder));
            }
        }
        return levels;
    }

    /** The jars of bundles/shell/ (empty when the folder is missing). */
    public List<Path> shellBundles() throws IOException {
        Path folder = bundles().resolve(SHELL);
        return Files.isDirectory(folder) ? jars(folder) : List.of();
    }

    private static List<Path> jars(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return new ArrayList<>(files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList());
        }
    }
}
