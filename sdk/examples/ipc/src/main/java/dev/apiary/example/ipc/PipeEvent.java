package dev.apiary.example.ipc;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/** A pipe created by pipe() or pipe2(); the header is the creating process. */
public record PipeEvent(EventHeader header, ContainerRef container,
        @FieldDoc("the pipe's inode number, as pipe:[N] in /proc/PID/fd; 0 when creation failed") long inode,
        @FieldDoc("the read end's fd, -1 when creation failed") int readFd,
        @FieldDoc("the write end's fd, -1 when creation failed") int writeFd,
        @FieldDoc("pipe2's flags (O_CLOEXEC 0x80000, O_NONBLOCK 0x800, O_DIRECT 0x4000); 0 for pipe()") int flags,
        @FieldDoc("0, or the negative errno it failed with") int ret,
        @FieldDoc("the errno's name when it failed, else empty") String error) implements Event {

    public static final String TYPE = "pipe";
}
