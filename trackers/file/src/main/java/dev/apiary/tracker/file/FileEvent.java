package dev.apiary.tracker.file;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;
import java.util.List;

/**
 * One file operation of a watched task, with its result: an open, mknod, mkdir, unlink,
 * rmdir, rename, chmod or chown. Its {@link #type()} is the operation; {@code syscall} says
 * which call made it (an {@code unlinkat(AT_REMOVEDIR)} is an "rmdir").
 *
 * @param syscall         the system call: "openat", "unlinkat", "renameat2", ...
 * @param path            the path as the process passed it (may be relative); "" for fchmod/fchown
 * @param newPath         a rename's new name as passed; "" otherwise
 * @param resolvedPath    where the file is, absolute in the process's mount namespace: for an
 *                        open that succeeded with a relative path (or fchmod/fchown) read from
 *                        the kernel's struct file; for other relative paths the process's cwd
 *                        or dirfd joined with the path (lexically); an absolute path as given;
 *                        "" when unknown
 * @param resolvedNewPath a rename's new name made absolute the same way, "" when unknown
 * @param flags           decoded flags: open flags ("O_WRONLY|O_CREAT|O_TRUNC"), AT_* flags,
 *                        RENAME_* flags, or a mknod's "dev=major:minor"; "" when none
 * @param mode            the permission bits (octal, "0644") an open with O_CREAT, mknod, mkdir or
 *                        chmod asked for; "" when the call has none
 * @param newUid          chown: the new owner, -1 when unchanged or not a chown
 * @param newGid          chown: the new group, -1 when unchanged or not a chown
 * @param ret             the result: the new fd of an open, 0, or the negative errno
 * @param error           the errno's name when it failed ("ENOENT"), else ""
 * @param created         an open that created its file (O_CREAT on a name that did not exist)
 * @param kinds           the access kinds it counts as: read, write, create, delete
 * @param pathCut         a path did not fit in 512 bytes and was cut
 */
public record FileEvent(EventHeader header, ContainerRef container,
        @FieldDoc("the system call: openat, unlinkat, renameat2, ...") String syscall,
        @FieldDoc("the path as passed (may be relative); empty for fchmod/fchown") String path,
        @FieldDoc("a rename's new name as passed; empty otherwise") String newPath,
        @FieldDoc("the absolute path in the container's mount namespace, empty when unknown") String resolvedPath,
        @FieldDoc("a rename's new name made absolute, empty when unknown") String resolvedNewPath,
        @FieldDoc("decoded flags: O_*, AT_*, RENAME_*, or a mknod's dev=major:minor") String flags,
        @FieldDoc("permission bits asked for (octal), empty when the call has none") String mode,
        @FieldDoc("chown's new owner, -1 when unchanged or not a chown") int newUid,
        @FieldDoc("chown's new group, -1 when unchanged or not a chown") int newGid,
        @FieldDoc("the new fd of an open, 0, or a negative errno") int ret,
        @FieldDoc("the errno's name when it failed, else empty") String error,
        @FieldDoc("whether an open created its file") boolean created,
        @FieldDoc("access kinds: read, write, create, delete") List<String> kinds,
        @FieldDoc("whether a path was cut at 512 bytes") boolean pathCut) implements Event {

    /** Operations, as FILE_OP_* in file.bpf.c: index = the record's type. */
    public static final List<String> OPERATIONS = List.of("", "open", "mknod", "mkdir", "unlink", "rmdir", "rename",
            "chmod", "chown");

    public FileEvent {
        kinds = List.copyOf(kinds);
    }

    @Override
    public String type() {
        int op = header.type();
        return op > 0 && op < OPERATIONS.size() ? OPERATIONS.get(op) : "file";
    }

    public boolean succeeded() {
        return ret >= 0;
    }

    public boolean is(Kind kind) {
        return kinds.contains(kind.word());
    }

    /** The paths a path-prefix filter looks at: as passed and resolved, both names of a rename. */
    public List<String> paths() {
        return List.of(path, resolvedPath, newPath, resolvedNewPath);
    }
}
