// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The file tracker: one record per open, create, delete, rename, chmod and chown of a
 * watched task, and bytes read and written per (cgroup, file) added up in the kernel.
 *
 * Path operations go through two points, like the exec tracker's:
 *
 *   sys_enter_X   saves the arguments (user pointers, flags, mode, dirfd) in file_pending,
 *                 keyed by thread id: a few dozen bytes, no string copied yet;
 *   sys_exit_X    reads the paths from the caller's memory straight into the record (the
 *                 kernel has just read them itself, so their pages are present), adds what
 *                 the result tells (the new fd's path and whether the open created the
 *                 file), and sends the used bytes with apiary_output().
 *
 * Reads and writes never go through the ring: sys_exit_read/write/... add the bytes to
 * file_io, keyed by (cgroup id, device, inode) of the regular file the fd points to; the
 * file's path is read once, when its entry is made. The tracker reads file_io on demand.
 */
#include "apiary/apiary.h"
#include "apiary/watch.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Operations: the record's hdr.type. FileDecoder.OPS names them in this order. */
#define FILE_OP_OPEN 1
#define FILE_OP_MKNOD 2
#define FILE_OP_MKDIR 3
#define FILE_OP_UNLINK 4
#define FILE_OP_RMDIR 5
#define FILE_OP_RENAME 6
#define FILE_OP_CHMOD 7
#define FILE_OP_CHOWN 8

/* Syscalls, file_event.syscall. FileDecoder.SYSCALLS names them in this order. */
enum file_syscall {
	SYS_OPEN = 1, SYS_OPENAT, SYS_OPENAT2, SYS_CREAT,
	SYS_MKNOD, SYS_MKNODAT, SYS_MKDIR, SYS_MKDIRAT,
	SYS_UNLINK, SYS_UNLINKAT, SYS_RMDIR,
	SYS_RENAME, SYS_RENAMEAT, SYS_RENAMEAT2,
	SYS_CHMOD, SYS_FCHMOD, SYS_FCHMODAT, SYS_FCHMODAT2,
	SYS_CHOWN, SYS_LCHOWN, SYS_FCHOWN, SYS_FCHOWNAT,
};

#define FILE_PATH_LEN 512 /* each path in a record; longer ones are cut (flagged) */
#define FILE_NAME_LEN 256 /* the path kept with a file's byte counts; longer ones keep their leaf end */

/* file_event.status */
#define FILE_STATUS_CREATED 1     /* the open created the file (FMODE_CREATED on the new struct file) */
#define FILE_STATUS_PATH_CUT 2
#define FILE_STATUS_PATH2_CUT 4
#define FILE_STATUS_RESOLVED_CUT 8
#define FILE_STATUS_RESOLVED_BASE 16 /* `resolved` is the directory a relative path is relative to, not the file */

#define AT_FDCWD_VALUE -100
#define AT_REMOVEDIR_FLAG 0x200
#define O_CREAT_FLAG 0100
#define FMODE_CREATED_FLAG (1u << 20) /* include/linux/fs.h; a macro, not in BTF */
#define S_IFMT_MASK 0170000
#define S_IFREG_MODE 0100000

/*
 * Path resolution costs a walk of the dentry tree (bpf_loop, one step per component), so
 * it is done only where the path as given does not say where the file is: relative paths,
 * and the fd-only calls (fchmod, fchown). Set before load to resolve absolute paths too
 * (through symlinks and mounts, for opens that succeed).
 */
const volatile bool resolve_absolute = false;

/*
 * Sent as far as it is used: the fixed fields, then path_size bytes of path, path2_size
 * bytes of the second path (rename's new name) and resolved_size bytes of resolved path,
 * each with its NUL.
 */
struct file_event {
	struct apiary_event_header hdr;
	__s32 ret;           /* the syscall's result: the new fd, 0, or a negative errno */
	__u32 syscall;       /* enum file_syscall */
	__u32 flags;         /* open flags; unlinkat/fchmodat/fchownat AT_* flags; renameat2 RENAME_* flags; mknod dev */
	__u32 mode;          /* open/mknod/mkdir/chmod mode */
	__u32 uid;           /* chown: the new owner, (u32)-1 = unchanged */
	__u32 gid;
	__s32 dfd;           /* the directory fd paths are relative to (AT_FDCWD -100), or the fd of fchmod/fchown */
	__s32 dfd2;          /* rename's new-name directory fd */
	__u32 status;        /* FILE_STATUS_* */
	__u32 path_size;     /* bytes at data[0], NUL included (0: no path, e.g. fchmod) */
	__u32 path2_size;    /* bytes at data[path_size] */
	__u32 resolved_size; /* bytes at data[path_size + path2_size] */
	char data[3 * FILE_PATH_LEN];
};
APIARY_EVENT_TYPE(file_event);

/* What sys_enter saw, waiting for the result. */
struct file_pending {
	__u64 path;  /* user pointers, read at exit */
	__u64 path2;
	__u32 op;
	__u32 syscall;
	__u32 flags;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__s32 dfd;
	__s32 dfd2;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct file_pending);
} file_pending SEC(".maps");

/* Per-CPU room to build a record before apiary_output() copies its used bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct file_event);
} file_out SEC(".maps");

/* Bytes per container and file. */
struct file_io_key {
	__u64 cgroup_id;
	__u64 ino;
	__u32 dev;     /* the superblock's s_dev (major << 20 | minor) */
	__u32 unused;
};

struct file_io_value {
	__u64 read_bytes;
	__u64 write_bytes;
	__u64 reads;   /* calls that read at least one byte */
	__u64 writes;
	__u64 first_ns; /* when the entry was made, CLOCK_BOOTTIME */
	__u32 name_size; /* bytes of name, NUL included; FILE_NAME_LEN = cut (leaf end kept) */
	__u32 unused;
	char name[FILE_NAME_LEN];
};
APIARY_EVENT_TYPE(file_io_key);
APIARY_EVENT_TYPE(file_io_value);

/* LRU: when more files than this are touched, the least recently used entries go. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct file_io_key);
	__type(value, struct file_io_value);
} file_io SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct file_io_value);
} file_io_scratch SEC(".maps");

/*
 * Reads and writes in flight, by thread id: the fd read from and the fd written to, -1 for
 * none (sendfile, splice and copy_file_range do both).
 */
struct file_io_fds {
	__s32 read_fd;
	__s32 write_fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct file_io_fds);
} file_io_pending SEC(".maps");

/* ---- helpers ----------------------------------------------------------------------- */

/* The struct file behind one of the current task's fds, or NULL. */
static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline bool is_relative(const char *path_in_record, __u32 size)
{
	return size > 1 && path_in_record[0] != '/';
}

static __always_inline int enter(__u32 op, __u32 syscall, const void *path, const void *path2, __u32 flags,
				 __u32 mode, __s32 dfd, __s32 dfd2, __u32 uid, __u32 gid)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct file_pending p = {
		.path = (__u64)path, .path2 = (__u64)path2, .op = op, .syscall = syscall,
		.flags = flags, .mode = mode, .uid = uid, .gid = gid, .dfd = dfd, .dfd2 = dfd2,
	};

	if (!apiary_watching())
		return 0;
	bpf_map_update_elem(&file_pending, &tid, &p, BPF_ANY);
	return 0;
}

/* Emits the record of the path operation this thread started; nothing if none is pending. */
static __always_inline int file_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 zero = 0;
	struct file_pending *p = bpf_map_lookup_elem(&file_pending, &tid);
	struct file_event *e;
	struct file *f = NULL;
	const struct path *base = NULL;
	__u32 off, len, status = 0;

	if (!p)
		return 0;
	e = bpf_map_lookup_elem(&file_out, &zero);
	if (!e)
		goto done;
	apiary_fill_header(&e->hdr, p->op);
	e->ret = (__s32)ret;
	e->syscall = p->syscall;
	e->flags = p->flags;
	e->mode = p->mode;
	e->uid = p->uid;
	e->gid = p->gid;
	e->dfd = p->dfd;
	e->dfd2 = p->dfd2;

	len = 0;
	if (p->path)
		len = apiary_read_user_str(e->data, FILE_PATH_LEN, (const void *)p->path);
	if (APIARY_STR_MAYBE_CUT(len, FILE_PATH_LEN))
		status |= FILE_STATUS_PATH_CUT;
	e->path_size = len;
	off = len;
	if (off > FILE_PATH_LEN)
		off = FILE_PATH_LEN;

	len = 0;
	if (p->path2) {
		len = apiary_read_user_str(&e->data[off], FILE_PATH_LEN, (const void *)p->path2);
		if (APIARY_STR_MAYBE_CUT(len, FILE_PATH_LEN))
			status |= FILE_STATUS_PATH2_CUT;
	}
	e->path2_size = len;
	off += len;
	if (off > 2 * FILE_PATH_LEN)
		off = 2 * FILE_PATH_LEN;

	/* What the result and the task tell about where the file is. */
	if (p->op == FILE_OP_OPEN && ret >= 0) {
		f = fd_file((int)ret);
		if (f && (BPF_CORE_READ(f, f_mode) & FMODE_CREATED_FLAG))
			status |= FILE_STATUS_CREATED;
		if (!(resolve_absolute || is_relative(e->data, e->path_size)))
			f = NULL;
	} else if (!p->path) {
		f = fd_file(p->dfd); /* fchmod, fchown: the fd is all there is */
	} else if (is_relative(e->data, e->path_size)) {
		status |= FILE_STATUS_RESOLVED_BASE;
		if (p->dfd == AT_FDCWD_VALUE) {
			struct task_struct *task = (struct task_struct *)bpf_get_current_task();
			base = &BPF_CORE_READ(task, fs)->pwd;
		} else {
			f = fd_file(p->dfd);
		}
	}
	if (f)
		base = &f->f_path;
	len = 0;
	if (base)
		len = apiary_read_path(&e->data[off], FILE_PATH_LEN, base);
	if (len == 0)
		status &= ~FILE_STATUS_RESOLVED_BASE;
	if (APIARY_STR_MAYBE_CUT(len, FILE_PATH_LEN))
		status |= FILE_STATUS_RESOLVED_CUT;
	e->resolved_size = len;
	e->status = status;

	{
		__u64 size = offsetof(struct file_event, data) + off + len;

		if (size > sizeof(*e))
			size = sizeof(*e);
		apiary_output(e, size);
	}
done:
	bpf_map_delete_elem(&file_pending, &tid);
	return 0;
}

/* ---- path operations --------------------------------------------------------------- */

#define ARG(i) ((void *)ctx->args[i])
#define NO_ID ((__u32)-1)

#define ENTER(sys, body)                                                   \
	SEC("tracepoint/syscalls/sys_enter_" #sys)                         \
	int file_enter_##sys(struct trace_event_raw_sys_enter *ctx)       \
	{                                                                  \
		return body;                                               \
	}                                                                  \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                          \
	int file_exit_##sys(struct trace_event_raw_sys_exit *ctx)         \
	{                                                                  \
		return file_exit(ctx->ret);                                \
	}

/* enter(op, syscall, path, path2, flags, mode, dfd, dfd2, uid, gid) */
ENTER(open, enter(FILE_OP_OPEN, SYS_OPEN, ARG(0), 0, ctx->args[1], ctx->args[2], AT_FDCWD_VALUE, 0, NO_ID, NO_ID))
ENTER(openat, enter(FILE_OP_OPEN, SYS_OPENAT, ARG(1), 0, ctx->args[2], ctx->args[3], ctx->args[0], 0, NO_ID, NO_ID))
ENTER(creat, enter(FILE_OP_OPEN, SYS_CREAT, ARG(0), 0, 01101 /* O_CREAT|O_WRONLY|O_TRUNC */, ctx->args[1],
		   AT_FDCWD_VALUE, 0, NO_ID, NO_ID))

SEC("tracepoint/syscalls/sys_enter_openat2")
int file_enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	struct open_how how = {};

	/* The flags and mode live in the caller's struct open_how. */
	bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
	return enter(FILE_OP_OPEN, SYS_OPENAT2, ARG(1), 0, (__u32)how.flags, (__u32)how.mode, ctx->args[0], 0,
		     NO_ID, NO_ID);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int file_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return file_exit(ctx->ret);
}

ENTER(mknod, enter(FILE_OP_MKNOD, SYS_MKNOD, ARG(0), 0, ctx->args[2], ctx->args[1], AT_FDCWD_VALUE, 0, NO_ID, NO_ID))
ENTER(mknodat, enter(FILE_OP_MKNOD, SYS_MKNODAT, ARG(1), 0, ctx->args[3], ctx->args[2], ctx->args[0], 0, NO_ID, NO_ID))
ENTER(mkdir, enter(FILE_OP_MKDIR, SYS_MKDIR, ARG(0), 0, 0, ctx->args[1], AT_FDCWD_VALUE, 0, NO_ID, NO_ID))
ENTER(mkdirat, enter(FILE_OP_MKDIR, SYS_MKDIRAT, ARG(1), 0, 0, ctx->args[2], ctx->args[0], 0, NO_ID, NO_ID))
ENTER(unlink, enter(FILE_OP_UNLINK, SYS_UNLINK, ARG(0), 0, 0, 0, AT_FDCWD_VALUE, 0, NO_ID, NO_ID))
ENTER(unlinkat, enter((ctx->args[2] & AT_REMOVEDIR_FLAG) ? FILE_OP_RMDIR : FILE_OP_UNLINK, SYS_UNLINKAT, ARG(1), 0,
		      ctx->args[2], 0, ctx->args[0], 0, NO_ID, NO_ID))
ENTER(rmdir, enter(FILE_OP_RMDIR, SYS_RMDIR, ARG(0), 0, 0, 0, AT_FDCWD_VALUE, 0, NO_ID, NO_ID))
ENTER(rename, enter(FILE_OP_RENAME, SYS_RENAME, ARG(0), ARG(1), 0, 0, AT_FDCWD_VALUE, AT_FDCWD_VALUE, NO_ID, NO_ID))
ENTER(renameat, enter(FILE_OP_RENAME, SYS_RENAMEAT, ARG(1), ARG(3), 0, 0, ctx->args[0], ctx->args[2], NO_ID, NO_ID))
ENTER(renameat2, enter(FILE_OP_RENAME, SYS_RENAMEAT2, ARG(1), ARG(3), ctx->args[4], 0, ctx->args[0], ctx->args[2],
		       NO_ID, NO_ID))
ENTER(chmod, enter(FILE_OP_CHMOD, SYS_CHMOD, ARG(0), 0, 0, ctx->args[1], AT_FDCWD_VALUE, 0, NO_ID, NO_ID))
ENTER(fchmod, enter(FILE_OP_CHMOD, SYS_FCHMOD, 0, 0, 0, ctx->args[1], ctx->args[0], 0, NO_ID, NO_ID))
ENTER(fchmodat, enter(FILE_OP_CHMOD, SYS_FCHMODAT, ARG(1), 0, 0, ctx->args[2], ctx->args[0], 0, NO_ID, NO_ID))
ENTER(fchmodat2, enter(FILE_OP_CHMOD, SYS_FCHMODAT2, ARG(1), 0, ctx->args[3], ctx->args[2], ctx->args[0], 0, NO_ID,
		       NO_ID))
ENTER(chown, enter(FILE_OP_CHOWN, SYS_CHOWN, ARG(0), 0, 0, 0, AT_FDCWD_VALUE, 0, ctx->args[1], ctx->args[2]))
ENTER(lchown, enter(FILE_OP_CHOWN, SYS_LCHOWN, ARG(0), 0, 0x100 /* AT_SYMLINK_NOFOLLOW */, 0, AT_FDCWD_VALUE, 0,
		    ctx->args[1], ctx->args[2]))
ENTER(fchown, enter(FILE_OP_CHOWN, SYS_FCHOWN, 0, 0, 0, 0, ctx->args[0], 0, ctx->args[1], ctx->args[2]))
ENTER(fchownat, enter(FILE_OP_CHOWN, SYS_FCHOWNAT, ARG(1), 0, ctx->args[4], 0, ctx->args[0], 0, ctx->args[2],
		      ctx->args[3]))

/* ---- bytes read and written -------------------------------------------------------- */

static __always_inline int io_enter(__s32 read_fd, __s32 write_fd)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct file_io_fds fds = {.read_fd = read_fd, .write_fd = write_fd};

	if (!apiary_watching())
		return 0;
	bpf_map_update_elem(&file_io_pending, &tid, &fds, BPF_ANY);
	return 0;
}

/* Adds bytes to the entry of the regular file behind fd, making the entry (and reading its name) when new. */
static __always_inline void add_bytes(__s32 fd, long bytes, bool write)
{
	struct file_io_value *v;
	struct file_io_key key = {};
	struct inode *inode;
	struct file *f;
	__u32 zero = 0;

	f = fd_file(fd);
	if (!f)
		return;
	inode = BPF_CORE_READ(f, f_inode);
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT_MASK) != S_IFREG_MODE)
		return; /* pipes, sockets, terminals, devices: not files */
	key.cgroup_id = bpf_get_current_cgroup_id();
	key.ino = BPF_CORE_READ(inode, i_ino);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);

	v = bpf_map_lookup_elem(&file_io, &key);
	if (!v) {
		/* First bytes of this file in this container: its name, once. */
		struct file_io_value *s = bpf_map_lookup_elem(&file_io_scratch, &zero);

		if (!s)
			return;
		s->read_bytes = 0;
		s->write_bytes = 0;
		s->reads = 0;
		s->writes = 0;
		s->first_ns = bpf_ktime_get_boot_ns();
		s->unused = 0;
		s->name_size = apiary_read_path(s->name, FILE_NAME_LEN, &f->f_path);
		bpf_map_update_elem(&file_io, &key, s, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&file_io, &key);
		if (!v)
			return;
	}
	if (write) {
		__sync_fetch_and_add(&v->write_bytes, bytes);
		__sync_fetch_and_add(&v->writes, 1);
	} else {
		__sync_fetch_and_add(&v->read_bytes, bytes);
		__sync_fetch_and_add(&v->reads, 1);
	}
}

static __always_inline int io_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct file_io_fds *pending = bpf_map_lookup_elem(&file_io_pending, &tid);
	struct file_io_fds fds;

	if (!pending)
		return 0;
	fds = *pending;
	bpf_map_delete_elem(&file_io_pending, &tid);
	if (ret <= 0)
		return 0;
	if (fds.read_fd >= 0)
		add_bytes(fds.read_fd, ret, false);
	if (fds.write_fd >= 0)
		add_bytes(fds.write_fd, ret, true);
	return 0;
}

#define IO(sys, read_fd, write_fd)                                         \
	SEC("tracepoint/syscalls/sys_enter_" #sys)                         \
	int file_io_enter_##sys(struct trace_event_raw_sys_enter *ctx)    \
	{                                                                  \
		return io_enter(read_fd, write_fd);                        \
	}                                                                  \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                          \
	int file_io_exit_##sys(struct trace_event_raw_sys_exit *ctx)      \
	{                                                                  \
		return io_exit(ctx->ret);                                  \
	}

#define FD(i) ((__s32)ctx->args[i])

IO(read, FD(0), -1)
IO(pread64, FD(0), -1)
IO(readv, FD(0), -1)
IO(preadv, FD(0), -1)
IO(preadv2, FD(0), -1)
IO(write, -1, FD(0))
IO(pwrite64, -1, FD(0))
IO(writev, -1, FD(0))
IO(pwritev, -1, FD(0))
IO(pwritev2, -1, FD(0))
/* In-kernel copies (busybox cat uses sendfile): bytes read from one fd and written to the other. */
IO(sendfile64, FD(1), FD(0))
IO(splice, FD(0), FD(2))
IO(copy_file_range, FD(0), FD(2))
