package dev.apiary.example.ipc;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/** A connect to a Unix socket address, or the accept of a Unix connection; the header is the caller. */
public record UnixEvent(EventHeader header, ContainerRef container,
        @FieldDoc("connect or accept") String operation,
        @FieldDoc("the socket path (connect: as passed; accept: the listener's); an abstract name starts with @") String path,
        @FieldDoc("whether the address is in the abstract namespace (no file)") boolean abstractName,
        @FieldDoc("connect: the socket's fd; accept: the listening socket's fd") int fd,
        @FieldDoc("connect: 0 or the negative errno; accept: the new connection's fd") int ret,
        @FieldDoc("the errno's name when a connect failed, else empty") String error,
        @FieldDoc("the process at the other end as the kernel recorded it (SO_PEERCRED: the listener for a connect, the connecting process for an accept); 0 if none") int peerPid,
        @FieldDoc("stream, dgram or seqpacket; empty when the fd was closed before the syscall returned") String socketType)
        implements Event {

    public static final String TYPE = "unix";
}
