package dev.apiary.tracker.namespace;

import dev.apiary.bpf.EventHeader;
import dev.apiary.sdk.ContainerRef;
import dev.apiary.sdk.Event;
import dev.apiary.sdk.FieldDoc;

/**
 * A mount-table change or one of the new mount API's steps. Strings are as the caller passed
 * them (relative paths stay relative), at most 255 bytes each; "" when the call has no such argument.
 *
 * @param type   "mount", "umount", "pivot_root", "move_mount", "fsopen", "fsmount" or "open_tree"
 * @param source mount: the source (device, "overlay", "proc"...); pivot_root: put_old; move_mount: the from path;
 *               open_tree: the path of the tree
 * @param target mount, umount: the mount point; pivot_root: new_root; move_mount: the to path
 * @param fsType mount, fsopen: the file system type
 * @param flags  the call's flags argument (mount: MS_*; umount2: MNT_*; move_mount: MOVE_MOUNT_*; open_tree: OPEN_TREE_*)
 * @param fd     move_mount, open_tree: the directory fd; fsmount: the fs context fd; -1 otherwise
 * @param ret    0, an fd (fsopen, fsmount, open_tree), or the negative errno
 */
public record MountEvent(EventHeader header, ContainerRef container,
        @FieldDoc("mount, umount, pivot_root, move_mount, fsopen, fsmount or open_tree") String type,
        @FieldDoc("mount source; pivot_root: put_old; move_mount: from; open_tree: the path") String source,
        @FieldDoc("mount point; pivot_root: new_root; move_mount: to") String target,
        @FieldDoc("file system type (mount, fsopen)") String fsType,
        @FieldDoc("the flags argument") long flags,
        @FieldDoc("move_mount/open_tree: dirfd; fsmount: fs fd; else -1") int fd,
        @FieldDoc("0, a new fd, or the negative errno") int ret) implements Event {
}
