package dev.apiary.sdk;

import java.time.Instant;

/**
 * A container Apiary knows about, with where it lives in the kernel: what {@code apiary:containers} lists.
 *
 * @param ref        who it is
 * @param pid        its init process as the host sees it, or 0 when not running or unknown
 * @param cgroupId   its cgroup v2 id (the inode of its cgroup directory), or 0 when unknown
 * @param cgroupPath its cgroup v2 path below the cgroup root, or ""
 * @param mntNs      mount namespace inode of its init process, or 0
 * @param pidNs      pid namespace inode, or 0
 * @param netNs      network namespace inode, or 0
 * @param running    whether it runs now
 * @param started    when it started, or null when unknown
 */
public record Container(ContainerRef ref, int pid, long cgroupId, String cgroupPath, long mntNs, long pidNs,
        long netNs, boolean running, Instant started) {

    public Container {
        cgroupPath = cgroupPath == null ? "" : cgroupPath;
    }
}
