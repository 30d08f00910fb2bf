package dev.apiary.launcher;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where the control socket lives and the rules for its folder: a directory owned by this
 * process's user with mode 0700, so only that user (root) can reach the socket — the same
 * protection as /var/run/docker.sock's. Stateless; safe from any thread.
 */
public final class ControlSocket {

    /** The default path. */
    public static final Path DEFAULT = Path.of("/run/apiary/apiary.sock");
    /** Environment variable that overrides the path. */
    public static final String ENVIRONMENT = "APIARY_SOCKET";
    /** System property that overrides the path (and the environment); tests use it. */
    public static final String PROPERTY = "apiary.socket";

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private ControlSocket() {
    }

    /** The system property {@value #PROPERTY}, else {@value #ENVIRONMENT}, else {@link #DEFAULT}. */
    public static Path configuredPath() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath();
        }
        String env = System.getenv(ENVIRONMENT);
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        return DEFAULT;
    }

    /**
     * Creates the socket's folder (mode 0700) when missing, and checks that an existing one is
     * owned by this process's effective user with mode 0700.
     *
     * @throws IOException naming the folder, its owner and mode when they are not right
     */
    static void preparePrivateDirectory(Path directory) throws IOException {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------")); // whatever the umask
        }
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("control socket folder " + directory + " is not a directory");
        }
        int uid = (Integer) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(directory, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        int self = ProcessCredentials.current().effectiveUid();
        if (uid != self || mode != 0700) {
            throw new IOException(String.format("control socket folder %s has owner uid %d and mode %04o; it must be owned by"
                    + " uid %d with mode 0700 so that only its owner can open the socket: remove it, or set %s to a socket"
                    + " path in a private folder", directory, uid, mode, self, ENVIRONMENT));
        }
    }

    /** Whether {@code path} is a socket file (not following links). */
    static boolean isSocketFile(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & S_IFMT) == S_IFSOCK;
    }

    /** Whether a server accepts connections at {@code path}; false for a missing or stale socket file. */
    public static boolean answers(Path path) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
