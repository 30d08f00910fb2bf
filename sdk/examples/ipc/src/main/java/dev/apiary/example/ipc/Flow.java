package dev.apiary.example.ipc;

/**
 * What one process moved through one IPC channel in one direction, as the kernel counted it
 * (an entry of the ipc_flows map).
 *
 * @param channel   the channel's kind
 * @param device    the inode's device (the ipc namespace's inode for a System V queue)
 * @param inode     the inode number (the msqid for a System V queue)
 * @param pid       the process (tgid, host pid namespace)
 * @param direction "write" or "read"
 * @param bytes     bytes moved
 * @param ops       successful transfers
 * @param firstNs   CLOCK_BOOTTIME of the first transfer
 * @param lastNs    CLOCK_BOOTTIME of the last one
 * @param cgroupId  the process's cgroup v2 id at its first transfer
 * @param comm      its command name at its first transfer
 */
record Flow(Channel channel, long device, long inode, int pid, String direction, long bytes, long ops,
        long firstNs, long lastNs, long cgroupId, String comm) {

    /** The channel as a user names it: pipe:[N] as in /proc/PID/fd, fifo:[dev:N], msq:N, mq:[N]. */
    String channelId() {
        return Flows.channelId(channel, device, inode);
    }

    boolean writes() {
        return direction.equals("write");
    }
}
