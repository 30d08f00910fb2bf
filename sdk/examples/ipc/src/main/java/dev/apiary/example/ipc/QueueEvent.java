package dev.apiary.example.ipc;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/** A message queue opened or created: System V msgget or POSIX mq_open; the header is the caller. */
public record QueueEvent(EventHeader header, ContainerRef container,
        @FieldDoc("sysv_msg (msgget) or posix_mq (mq_open)") String channel,
        @FieldDoc("posix_mq: the queue's name as the syscall got it (glibc drops the leading /); empty for sysv_msg") String name,
        @FieldDoc("sysv_msg: the key passed (0 = IPC_PRIVATE); 0 for posix_mq") long key,
        @FieldDoc("sysv_msg: msgflg; posix_mq: oflag (O_CREAT 0x40, O_EXCL 0x80, ...)") int flags,
        @FieldDoc("the msqid or the mq fd, or the negative errno") int ret,
        @FieldDoc("the errno's name when it failed, else empty") String error) implements Event {

    public static final String TYPE = "queue";
}
