package dev.apiary.tracker.file;

import dev.apiary.sdk.Errno;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.apiary.bpf.EventHeader;
import dev.apiary.bpf.Records;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.EventDecoder;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Decodes the records of file.bpf.c into {@link FileEvent}s, reading them in place (only the
 * strings are copied), and holds the Java twins of the structs of its {@code file_io} map.
 *
 * <p>Core compares the {@link #layouts()} with the loaded object's BTF before the tracker
 * starts. The decoder holds no per-record state: safe
 * from one thread at a time per record, without locking.
 */
public final class FileDecoder implements EventDecoder {

    /** Bytes per path in a record, as FILE_PATH_LEN; per name in file_io, as FILE_NAME_LEN. */
    public static final int PATH_LEN = 512, NAME_LEN = 256;

    /** Operations, as FILE_OP_* in file.bpf.c. */
    static final int OPEN = 1, MKNOD = 2, MKDIR = 3, UNLINK = 4, RMDIR = 5, RENAME = 6, CHMOD = 7, CHOWN = 8;

    /** Syscalls, as enum file_syscall in file.bpf.c: index = its value. */
    static final List<String> SYSCALLS = List.of("", "open", "openat", "openat2", "creat",
            "mknod", "mknodat", "mkdir", "mkdirat", "unlink", "unlinkat", "rmdir",
            "rename", "renameat", "renameat2", "chmod", "fchmod", "fchmodat", "fchmodat2",
            "chown", "lchown", "fchown", "fchownat");

    /** file_event.status bits, as FILE_STATUS_*. */
    static final int CREATED = 1, PATH_CUT = 2, PATH2_CUT = 4, RESOLVED_CUT = 8, RESOLVED_BASE = 16;

    static final int AT_FDCWD = -100;

    public static final StructLayout EVENT_LAYOUT = MemoryLayout.structLayout(
            EventHeader.LAYOUT.withName("hdr"),
            JAVA_INT.withName("ret"),
            JAVA_INT.withName("syscall"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("mode"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("gid"),
            JAVA_INT.withName("dfd"),
            JAVA_INT.withName("dfd2"),
            JAVA_INT.withName("status"),
            JAVA_INT.withName("path_size"),
            JAVA_INT.withName("path2_size"),
            JAVA_INT.withName("resolved_size"),
            MemoryLayout.sequenceLayout(3 * PATH_LEN, JAVA_BYTE).withName("data"))
            .withName("file_event");

    public static final StructLayout IO_KEY_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("cgroup_id"),
            JAVA_LONG.withName("ino"),
            JAVA_INT.withName("dev"),
            JAVA_INT.withName("unused"))
            .withName("file_io_key");

    public static final StructLayout IO_VALUE_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("read_bytes"),
            JAVA_LONG.withName("write_bytes"),
            JAVA_LONG.withName("reads"),
            JAVA_LONG.withName("writes"),
            JAVA_LONG.withName("first_ns"),
            JAVA_INT.withName("name_size"),
            JAVA_INT.withName("unused"),
            MemoryLayout.sequenceLayout(NAME_LEN, JAVA_BYTE).withName("name"))
            .withName("file_io_value");

    private static final StructLayout E = EVENT_LAYOUT;
    private static final long RET = Records.offset(E, "ret"), SYSCALL = Records.offset(E, "syscall"),
            FLAGS = Records.offset(E, "flags"), MODE = Records.offset(E, "mode"), UID = Records.offset(E, "uid"),
            GID = Records.offset(E, "gid"), DFD = Records.offset(E, "dfd"), DFD2 = Records.offset(E, "dfd2"),
            STATUS = Records.offset(E, "status"), PATH_SIZE = Records.offset(E, "path_size"),
            PATH2_SIZE = Records.offset(E, "path2_size"), RESOLVED_SIZE = Records.offset(E, "resolved_size"),
            DATA = Records.offset(E, "data");

    /** The layouts it reads, which core checks against the object's BTF before it loads. */
    @Override
    public List<MemoryLayout> layouts() {
        return List.of(EVENT_LAYOUT, IO_KEY_LAYOUT, IO_VALUE_LAYOUT);
    }

    /**
     * @return a {@link FileEvent}
     * @throws IllegalArgumentException for a record of an unknown operation or syscall, too short, or with sizes out of range
     */
    @Override
    public Event decode(MemorySegment record, EventHeader header, ContainerRef container) {
        int op = header.type();
        if (op < OPEN || op > CHOWN) {
            throw new IllegalArgumentException("not a file tracker record type: " + op);
        }
        Records.requireSize(record, DATA, "file_event");
        int syscall = record.get(JAVA_INT_UNALIGNED, SYSCALL);
        int pathSize = record.get(JAVA_INT_UNALIGNED, PATH_SIZE);
        int path2Size = record.get(JAVA_INT_UNALIGNED, PATH2_SIZE);
        int resolvedSize = record.get(JAVA_INT_UNALIGNED, RESOLVED_SIZE);
        if (syscall <= 0 || syscall >= SYSCALLS.size() || outOfRange(pathSize) || outOfRange(path2Size)
                || outOfRange(resolvedSize)) {
            throw new IllegalArgumentException("file record of syscall " + syscall + " with paths of " + pathSize + ", "
                    + path2Size + " and " + resolvedSize + " bytes");
        }
        Records.requireSize(record, DATA + pathSize + path2Size + resolvedSize, "file_event");
        int ret = record.get(JAVA_INT_UNALIGNED, RET);
        int flags = record.get(JAVA_INT_UNALIGNED, FLAGS);
        int mode = record.get(JAVA_INT_UNALIGNED, MODE);
        int status = record.get(JAVA_INT_UNALIGNED, STATUS);
        String path = string(record, DATA, pathSize);
        String newPath = string(record, DATA + pathSize, path2Size);
        String raw = string(record, DATA + pathSize + path2Size, resolvedSize);
        boolean base = (status & RESOLVED_BASE) != 0;
        String resolved = resolve(path, raw, base);
        String resolvedNew = "";
        if (op == RENAME) {
            boolean sameDir = record.get(JAVA_INT_UNALIGNED, DFD) == record.get(JAVA_INT_UNALIGNED, DFD2);
            resolvedNew = resolve(newPath, sameDir ? raw : "", base && sameDir);
        }
        boolean created = (status & CREATED) != 0;
        boolean chown = op == CHOWN;
        return new FileEvent(header, container, SYSCALLS.get(syscall), path, newPath, resolved, resolvedNew,
                flagWords(op, flags, mode), modeWord(op, flags, mode),
                chown ? record.get(JAVA_INT_UNALIGNED, UID) : -1, chown ? record.get(JAVA_INT_UNALIGNED, GID) : -1,
                ret, ret < 0 ? Errno.name(-ret) : "", created, kindWords(op, flags, created),
                (status & (PATH_CUT | PATH2_CUT)) != 0);
    }

    /**
     * Where the file is: the kernel's own path when it gave one; a relative path joined with
     * the directory it is relative to (lexically: ".." is not checked against symlinks); an
     * absolute path as given; else "".
     */
    static String resolve(String path, String raw, boolean rawIsBase) {
        if (!rawIsBase && !raw.isEmpty()) {
            return raw;
        }
        if (path.startsWith("/")) {
            return path;
        }
        if (rawIsBase && !raw.isEmpty() && !path.isEmpty()) {
            return Path.of(raw).resolve(path).normalize().toString();
        }
        return "";
    }

    /**
     * The kinds as words, one shared immutable list per combination: they depend only on the
     * operation, whether it created, the access mode and O_TRUNC/O_PATH, so an open storm
     * allocates none.
     */
    private static final List<String>[] KIND_WORDS = kindWordsTable();

    @SuppressWarnings("unchecked")
    private static List<String>[] kindWordsTable() {
        List<String>[] table = new List[(CHOWN + 1) * 2 * 16];
        for (int op = 0; op <= CHOWN; op++) {
            for (int c = 0; c < 2; c++) {
                for (int bits = 0; bits < 16; bits++) {
                    int flags = (bits & 3) | ((bits & 4) != 0 ? Flags.O_TRUNC : 0) | ((bits & 8) != 0 ? Flags.O_PATH : 0);
                    table[kindIndex(op, flags, c == 1)] = Kind.words(kinds(op, flags, c == 1));
                }
            }
        }
        return table;
    }

    private static int kindIndex(int op, int flags, boolean created) {
        int bits = (flags & Flags.O_ACCMODE) | ((flags & Flags.O_TRUNC) != 0 ? 4 : 0) | ((flags & Flags.O_PATH) != 0 ? 8 : 0);
        return (op * 2 + (created ? 1 : 0)) * 16 + bits;
    }

    static List<String> kindWords(int op, int flags, boolean created) {
        return KIND_WORDS[kindIndex(op, flags, created)];
    }

    /** The access kinds of an operation. */
    static Set<Kind> kinds(int op, int flags, boolean created) {
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        switch (op) {
            case OPEN -> {
                if ((flags & Flags.O_PATH) == 0) {
                    int access = flags & Flags.O_ACCMODE;
                    if (access == Flags.O_RDONLY || access == Flags.O_RDWR) {
                        kinds.add(Kind.READ);
                    }
                    if (access == Flags.O_WRONLY || access == Flags.O_RDWR || (flags & Flags.O_TRUNC) != 0) {
                        kinds.add(Kind.WRITE);
                    }
                }
                if (created) {
                    kinds.add(Kind.CREATE);
                }
            }
            case MKNOD, MKDIR -> kinds.add(Kind.CREATE);
            case UNLINK, RMDIR -> kinds.add(Kind.DELETE);
            case RENAME -> {
                kinds.add(Kind.CREATE);
                kinds.add(Kind.DELETE);
            }
            case CHMOD, CHOWN -> kinds.add(Kind.WRITE);
            default -> {
            }
        }
        return kinds;
    }

    private static String flagWords(int op, int flags, int mode) {
        return switch (op) {
            case OPEN -> Flags.open(flags);
            case RENAME -> Flags.rename(flags);
            case UNLINK, RMDIR, CHMOD, CHOWN -> Flags.at(flags);
            case MKNOD -> isDevice(mode) ? "dev=" + Flags.device(flags) : "";
            default -> "";
        };
    }

    private static boolean isDevice(int mode) {
        int type = mode & 0170000;
        return type == 0020000 || type == 0060000; // S_IFCHR, S_IFBLK
    }

    private static String modeWord(int op, int flags, int mode) {
        return switch (op) {
            case OPEN -> Flags.openUsesMode(flags) ? octal(mode & 07777) : "";
            case MKNOD -> octal(mode & 0177777); // the file type matters too: 010644 is a FIFO
            case MKDIR, CHMOD -> octal(mode & 07777);
            default -> "";
        };
    }

    private static String octal(int mode) {
        String digits = Integer.toOctalString(mode);
        return digits.length() >= 4 ? digits : "0".repeat(4 - digits.length()) + digits;
    }

    private static boolean outOfRange(int size) {
        return size < 0 || size > PATH_LEN;
    }

    /**
     * A string sent with its NUL (size includes it; 0 = none); stops at an earlier NUL: the
     * size - 1 bytes before the NUL at most.
     */
    static String string(MemorySegment record, long offset, int size) {
        return Records.cString(record, offset, size - 1);
    }
}
