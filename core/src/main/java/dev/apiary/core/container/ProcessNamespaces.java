package dev.apiary.core.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The namespace inode numbers of a process, as {@code /proc/PID/ns/*} links show them
 * ({@code mnt:[4026532180]}) and as the BPF event header carries them.
 *
 * @param mnt mount namespace inode, 0 when unreadable
 * @param pid pid namespace inode, 0 when unreadable
 * @param net network namespace inode, 0 when unreadable
 */
public record ProcessNamespaces(long mnt, long pid, long net) {

    public static final ProcessNamespaces NONE = new ProcessNamespaces(0, 0, 0);

    /** The namespaces of a host pid; {@link #NONE} when the process is gone (or pid is 0). */
    public static ProcessNamespaces of(int pid) {
        if (pid <= 0) {
            return NONE;
        }
        return new ProcessNamespaces(inode(pid, "mnt"), inode(pid, "pid"), inode(pid, "net"));
    }

    /**
     * The host's mount namespace: that of pid 1. Where pid 1's links cannot be read (a
     * supervisor with other credentials as pid 1, as in some sandboxes) Apiary's own, which
     * is the host's for an agent run on the host.
     */
    public static long hostMountNamespace() {
        long init = inode(1, "mnt");
        return init != 0 ? init : inode((int) ProcessHandle.current().pid(), "mnt");
    }

    /** The inode of /proc/PID/ns/KIND, or 0 when the process is gone or not readable. */
    public static long inode(int pid, String kind) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", kind)).toString();
            int open = link.indexOf('[');
            int close = link.indexOf(']', open + 1);
            return open < 0 || close < 0 ? 0 : Long.parseLong(link.substring(open + 1, close));
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
