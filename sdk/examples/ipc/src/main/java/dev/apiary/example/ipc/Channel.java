package dev.apiary.example.ipc;

import java.util.Locale;

/** What kind of IPC channel carried data: IPC_KIND_* in ipc.bpf.c, in its numbering. */
enum Channel {
    PIPE(1), FIFO(2), SYSV_MSG(3), POSIX_MQ(4);

    final int code;

    Channel(int code) {
        this.code = code;
    }

    /** The name in events, tables and JSON: "pipe", "fifo", "sysv_msg", "posix_mq". */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether it is a pipe of either kind (ipc:pipes) rather than a message queue (ipc:queues). */
    boolean isPipe() {
        return this == PIPE || this == FIFO;
    }

    static Channel of(int code) {
        for (Channel c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown IPC channel kind " + code);
    }

    /** "write" for IPC_DIR_WRITE (1), "read" for IPC_DIR_READ (2). */
    static String direction(int dir) {
        return switch (dir) {
            case 1 -> "write";
            case 2 -> "read";
            default -> throw new IllegalArgumentException("unknown IPC direction " + dir);
        };
    }
}
