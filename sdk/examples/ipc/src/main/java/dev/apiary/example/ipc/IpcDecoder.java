package dev.apiary.example.ipc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.Records;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Errno;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import dev.apiary.sdk.Signals;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * Decodes the ring records of ipc.bpf.c, in place (only strings are copied).
 *
 * <p>The layouts are the Java twins of the C structs; core compares them with the loaded
 * object's BTF before the tracker starts ({@link #layouts()}), so a changed C struct is caught at load rather than decoded as garbage. The decoder holds no
 * per-record state: safe for the one dispatcher thread that calls it.
 */
public final class IpcDecoder implements EventDecoder {

    /** Record types, as IPC_EVENT_* in ipc.bpf.c. */
    public static final int SIGNAL = 1, PIPE = 2, IO = 3, UNIX = 4, QUEUE = 5;

    /** Sizes, as IPC_PATH_LEN and IPC_NAME_LEN. */
    static final int PATH_LEN = 108, NAME_LEN = 128;

    static final StructLayout SIGNAL_LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("target_cgroup_id"),
            JAVA_INT.withName("target_pid"),
            JAVA_INT.withName("target_tid"),
            JAVA_INT.withName("sig"),
            JAVA_INT.withName("code"),
            JAVA_INT.withName("result"),
            JAVA_INT.withName("group"),
            MemoryLayout.sequenceLayout(EventHeader.COMM_LEN, JAVA_BYTE).withName("target_comm"))
            .withName("ipc_signal_event");

    static final StructLayout PIPE_LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("ino"),
            JAVA_INT.withName("ret"),
            JAVA_INT.withName("read_fd"),
            JAVA_INT.withName("write_fd"),
            JAVA_INT.withName("flags"))
            .withName("ipc_pipe_event");

    static final StructLayout IO_LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("ino"),
            JAVA_INT.withName("dev"),
            JAVA_INT.withName("fd"),
            JAVA_LONG.withName("bytes"),
            JAVA_INT.withName("kind"),
            JAVA_INT.withName("dir"))
            .withName("ipc_io_event");

    static final StructLayout UNIX_LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_INT.withName("ret"),
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("op"),
            JAVA_INT.withName("peer_pid"),
            JAVA_INT.withName("sock_type"),
            JAVA_INT.withName("path_len"),
            MemoryLayout.sequenceLayout(PATH_LEN, JAVA_BYTE).withName("path"),
            MemoryLayout.paddingLayout(4)) // the struct is 8-aligned
            .withName("ipc_unix_event");

    static final StructLayout QUEUE_LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_LONG.withName("key"),
            JAVA_INT.withName("ret"),
            JAVA_INT.withName("kind"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("name_len"),
            MemoryLayout.sequenceLayout(NAME_LEN, JAVA_BYTE).withName("name"))
            .withName("ipc_queue_event");

    private static final long S_CGROUP = Records.offset(SIGNAL_LAYOUT, "target_cgroup_id"),
            S_PID = Records.offset(SIGNAL_LAYOUT, "target_pid"), S_TID = Records.offset(SIGNAL_LAYOUT, "target_tid"),
            S_SIG = Records.offset(SIGNAL_LAYOUT, "sig"), S_CODE = Records.offset(SIGNAL_LAYOUT, "code"),
            S_RESULT = Records.offset(SIGNAL_LAYOUT, "result"), S_GROUP = Records.offset(SIGNAL_LAYOUT, "group"),
            S_COMM = Records.offset(SIGNAL_LAYOUT, "target_comm");
    private static final long P_INO = Records.offset(PIPE_LAYOUT, "ino"), P_RET = Records.offset(PIPE_LAYOUT, "ret"),
            P_READ = Records.offset(PIPE_LAYOUT, "read_fd"), P_WRITE = Records.offset(PIPE_LAYOUT, "write_fd"),
            P_FLAGS = Records.offset(PIPE_LAYOUT, "flags");
    private static final long I_INO = Records.offset(IO_LAYOUT, "ino"), I_DEV = Records.offset(IO_LAYOUT, "dev"),
            I_FD = Records.offset(IO_LAYOUT, "fd"), I_BYTES = Records.offset(IO_LAYOUT, "bytes"),
            I_KIND = Records.offset(IO_LAYOUT, "kind"), I_DIR = Records.offset(IO_LAYOUT, "dir");
    private static final long U_RET = Records.offset(UNIX_LAYOUT, "ret"), U_FD = Records.offset(UNIX_LAYOUT, "fd"),
            U_OP = Records.offset(UNIX_LAYOUT, "op"), U_PEER = Records.offset(UNIX_LAYOUT, "peer_pid"),
            U_TYPE = Records.offset(UNIX_LAYOUT, "sock_type"), U_PATH_LEN = Records.offset(UNIX_LAYOUT, "path_len"),
            U_PATH = Records.offset(UNIX_LAYOUT, "path");
    private static final long Q_KEY = Records.offset(QUEUE_LAYOUT, "key"), Q_RET = Records.offset(QUEUE_LAYOUT, "ret"),
            Q_KIND = Records.offset(QUEUE_LAYOUT, "kind"), Q_FLAGS = Records.offset(QUEUE_LAYOUT, "flags"),
            Q_NAME = Records.offset(QUEUE_LAYOUT, "name");

    private final LongFunction<ContainerRef> containerOfCgroup;
    /** @param containerOfCgroup the container of a cgroup v2 id, for a signal's target (Containers::ofCgroup) */
    public IpcDecoder(LongFunction<ContainerRef> containerOfCgroup) {
        this.containerOfCgroup = Objects.requireNonNull(containerOfCgroup);
    }

    /** The layouts it reads, which core checks against the object's BTF before it loads. */
    @Override
    public List<MemoryLayout> layouts() {
        return List.of(SIGNAL_LAYOUT, PIPE_LAYOUT, IO_LAYOUT, UNIX_LAYOUT, QUEUE_LAYOUT, Flows.KEY_LAYOUT, Flows.VALUE_LAYOUT);
    }

    /**
     * @throws IllegalArgumentException for an unknown record type or a record too short for its type
     */
    @Override
    public Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
        return switch (header.type()) {
            case SIGNAL -> signal(record, header, container);
            case PIPE -> pipe(record, header, container);
            case IO -> io(record, header, container);
            case UNIX -> unix(record, header, container);
            case QUEUE -> queue(record, header, container);
            default -> throw new IllegalArgumentException("not an ipc record type: " + header.type());
        };
    }

    private SignalEvent signal(MemorySegment r, EventHeader h, ContainerRef c) {
        Records.requireSize(r, SIGNAL_LAYOUT.byteSize(), "ipc_signal_event");
        int sig = r.get(JAVA_INT_UNALIGNED, S_SIG);
        long cgroup = r.get(JAVA_LONG_UNALIGNED, S_CGROUP);
        // The same task's cgroup as the sender's: no second lookup.
        ContainerRef target = cgroup == h.cgroupId() ? c : containerOfCgroup.apply(cgroup);
        return new SignalEvent(h, c, sig, Signals.name(sig), r.get(JAVA_INT_UNALIGNED, S_PID), r.get(JAVA_INT_UNALIGNED, S_TID),
                Records.cString(r, S_COMM, EventHeader.COMM_LEN), target.displayName(), cgroup,
                SignalOutcomes.origin(r.get(JAVA_INT_UNALIGNED, S_CODE)), SignalOutcomes.result(r.get(JAVA_INT_UNALIGNED, S_RESULT)),
                r.get(JAVA_INT_UNALIGNED, S_GROUP) != 0);
    }

    private static PipeEvent pipe(MemorySegment r, EventHeader h, ContainerRef c) {
        Records.requireSize(r, PIPE_LAYOUT.byteSize(), "ipc_pipe_event");
        int ret = r.get(JAVA_INT_UNALIGNED, P_RET);
        return new PipeEvent(h, c, r.get(JAVA_LONG_UNALIGNED, P_INO), r.get(JAVA_INT_UNALIGNED, P_READ),
                r.get(JAVA_INT_UNALIGNED, P_WRITE), r.get(JAVA_INT_UNALIGNED, P_FLAGS), ret, error(ret));
    }

    private static IoEvent io(MemorySegment r, EventHeader h, ContainerRef c) {
        Records.requireSize(r, IO_LAYOUT.byteSize(), "ipc_io_event");
        return new IoEvent(h, c, Channel.of(r.get(JAVA_INT_UNALIGNED, I_KIND)).label(),
                Channel.direction(r.get(JAVA_INT_UNALIGNED, I_DIR)), r.get(JAVA_LONG_UNALIGNED, I_INO),
                Integer.toUnsignedLong(r.get(JAVA_INT_UNALIGNED, I_DEV)), r.get(JAVA_INT_UNALIGNED, I_FD),
                r.get(JAVA_LONG_UNALIGNED, I_BYTES));
    }

    private static UnixEvent unix(MemorySegment r, EventHeader h, ContainerRef c) {
        Records.requireSize(r, UNIX_LAYOUT.byteSize(), "ipc_unix_event");
        int op = r.get(JAVA_INT_UNALIGNED, U_OP);
        int ret = r.get(JAVA_INT_UNALIGNED, U_RET);
        int len = Math.clamp(r.get(JAVA_INT_UNALIGNED, U_PATH_LEN), 0, PATH_LEN);
        boolean abstractName = len > 0 && r.get(JAVA_BYTE, U_PATH) == 0;
        // An abstract name is its bytes after the leading NUL, all of them (it may hold NULs); a path ends at its NUL.
        String path = abstractName ? "@" + bytes(r, U_PATH + 1, len - 1).replace('\0', '@') : Records.cString(r, U_PATH, len);
        boolean connect = op == 1;
        return new UnixEvent(h, c, connect ? "connect" : "accept", path, abstractName, r.get(JAVA_INT_UNALIGNED, U_FD), ret,
                connect ? error(ret) : "", r.get(JAVA_INT_UNALIGNED, U_PEER), socketType(r.get(JAVA_INT_UNALIGNED, U_TYPE)));
    }

    private static QueueEvent queue(MemorySegment r, EventHeader h, ContainerRef c) {
        Records.requireSize(r, QUEUE_LAYOUT.byteSize(), "ipc_queue_event");
        Channel kind = Channel.of(r.get(JAVA_INT_UNALIGNED, Q_KIND));
        int ret = r.get(JAVA_INT_UNALIGNED, Q_RET);
        return new QueueEvent(h, c, kind.label(), kind == Channel.POSIX_MQ ? Records.cString(r, Q_NAME, NAME_LEN) : "",
                r.get(JAVA_LONG_UNALIGNED, Q_KEY), r.get(JAVA_INT_UNALIGNED, Q_FLAGS), ret, error(ret));
    }

    private static String socketType(int type) {
        return switch (type) {
            case 0 -> "";
            case 1 -> "stream";
            case 2 -> "dgram";
            case 5 -> "seqpacket";
            default -> "type " + type;
        };
    }

    private static String error(int ret) {
        return ret < 0 ? Errno.name(-ret) : "";
    }

    private static String bytes(MemorySegment r, long offset, int n) {
        byte[] b = new byte[n];
        MemorySegment.copy(r, JAVA_BYTE, offset, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }
}
