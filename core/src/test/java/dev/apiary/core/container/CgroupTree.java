package dev.apiary.core.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cgroup tree of plain directories (a test's temporary directory): what the learner's walk
 * reads of a real one, a directory's inode as its cgroup id and {@code cgroup.procs}. Paths are
 * written as the kernel reports them, from the root and starting with '/'.
 */
final class CgroupTree {

    /** A 64-hex container id, as the runtimes write them into their cgroup names. */
    static final String HEX = "0123456789abcdef".repeat(4);

    final Path root;

    CgroupTree(Path root) {
        this.root = root;
    }

    /** Makes a cgroup and its parents; its id. */
    long mkdir(String path) {
        try {
            return inode(Files.createDirectories(dir(path)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes an empty cgroup (its cgroup.procs too). */
    void rmdir(String path) {
        try {
            Files.deleteIfExists(dir(path).resolve("cgroup.procs"));
            Files.delete(dir(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lists a pid in the cgroup's cgroup.procs, as the kernel does for its members. */
    void procs(String path, long pid) {
        try {
            Files.writeString(dir(path).resolve("cgroup.procs"), pid + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record of cgroups.bpf.o for a mkdir. */
    static CgroupRecord made(long id, String path) {
        return new CgroupRecord(false, id, level(path), path, false);
    }

    /** The record of cgroups.bpf.o for an rmdir. */
    static CgroupRecord removed(long id, String path) {
        return new CgroupRecord(true, id, level(path), path, false);
    }

    static long inode(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path dir(String path) {
        return root.resolve(path.substring(1));
    }

    private static int level(String path) {
        return (int) path.chars().filter(c -> c == '/').count();
    }
}
