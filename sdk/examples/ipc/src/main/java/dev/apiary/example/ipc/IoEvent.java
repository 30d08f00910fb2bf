package dev.apiary.example.ipc;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/**
 * A process's first successful transfer on an IPC channel in one direction. Later transfers
 * are only counted, in the kernel (ipc:pipes, ipc:queues): one event per process, channel
 * and direction, not one per read or write.
 */
public record IoEvent(EventHeader header, ContainerRef container,
        @FieldDoc("pipe, fifo, sysv_msg or posix_mq") String channel,
        @FieldDoc("write (write, writev, msgsnd, mq_timedsend) or read (read, readv, msgrcv, mq_timedreceive)") String direction,
        @FieldDoc("the channel's inode number (pipe:[N]); for a System V queue its msqid") long inode,
        @FieldDoc("the inode's device; for a System V queue the ipc namespace's inode") long device,
        @FieldDoc("the fd used (the msqid for a System V queue)") int fd,
        @FieldDoc("bytes of this first transfer") long bytes) implements Event {

    public static final String TYPE = "io";
}
