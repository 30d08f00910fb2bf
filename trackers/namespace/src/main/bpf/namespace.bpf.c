// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The namespace tracker: how containers are made of namespaces, mounts and cgroups.
 *
 *   task_newtask (tp_btf)    a clone/clone3/fork that created namespaces: the kinds, and the
 *                            new task's namespace ids (copy_process has copied them by then)
 *   unshare, setns           at sys_enter the arguments are stashed by thread id; at sys_exit
 *                            the record is sent with the result and the namespaces the task
 *                            (and its future children) now have. setns resolves its fd to
 *                            the namespace it names (nsfs inode) when nstype is 0
 *   mount, umount2, pivot_root, move_mount, fsopen, fsmount, open_tree
 *                            the same stash; strings are read from the caller's memory at exit
 *   cgroup_mkdir, cgroup_attach_task (tp_btf)
 *                            every hierarchy (v1 controllers and v2), with the path
 *
 * Who is reported: ns_watching(). Containers are made by their runtime on the host, before
 * the container's namespaces exist, so besides the tasks apiary_watching() selects the
 * tracker also reports the container runtimes' own tasks (runc*, crun, containerd*,
 * dockerd, docker-init, conmon) unless the loader clears ns_follow_runtimes.
 */
#include "apiary/apiary.h"
#include "apiary/watch.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Record types (apiary_event_header.type). */
#define NS_CLONE 1
#define NS_UNSHARE 2
#define NS_SETNS 3
#define NS_MOUNT 4
#define NS_UMOUNT 5
#define NS_PIVOT_ROOT 6
#define NS_MOVE_MOUNT 7
#define NS_FSOPEN 8
#define NS_FSMOUNT 9
#define NS_OPEN_TREE 10
#define NS_CGROUP_MKDIR 11
#define NS_CGROUP_ATTACH 12

/* include/uapi/linux/sched.h: macros, not in BTF. */
#define CLONE_NEWTIME_ 0x00000080
#define CLONE_NEWNS_ 0x00020000
#define CLONE_NEWCGROUP_ 0x02000000
#define CLONE_NEWUTS_ 0x04000000
#define CLONE_NEWIPC_ 0x08000000
#define CLONE_NEWUSER_ 0x10000000
#define CLONE_NEWPID_ 0x20000000
#define CLONE_NEWNET_ 0x40000000
#define NS_KINDS_MASK (CLONE_NEWTIME_ | CLONE_NEWNS_ | CLONE_NEWCGROUP_ | CLONE_NEWUTS_ | CLONE_NEWIPC_ \
		       | CLONE_NEWUSER_ | CLONE_NEWPID_ | CLONE_NEWNET_)

#define NSFS_MAGIC_ 0x6e736673 /* include/uapi/linux/magic.h */

/* ns_ids[] order. */
#define NS_IDX_MNT 0
#define NS_IDX_PID 1
#define NS_IDX_NET 2
#define NS_IDX_IPC 3
#define NS_IDX_UTS 4
#define NS_IDX_USER 5
#define NS_IDX_CGROUP 6
#define NS_IDX_TIME 7
#define NS_KINDS 8

#define NS_STR_LEN 256     /* each string; longer ones are cut (str_len == NS_STR_LEN) */
#define NS_STRINGS 3
#define NS_DATA_LEN 1280   /* 3 strings, and room for a masked offset (& 1023) + NS_STR_LEN */

/* Set by the loader before load: also report container runtimes' tasks (see the top). */
const volatile __u8 ns_follow_runtimes = 1;

/*
 * One record for every kind; what each field holds depends on the type (see the Java
 * decoder). Only offsetof(data) + the strings' bytes are sent.
 */
struct ns_event {
	struct apiary_event_header hdr;
	__u64 flags;          /* the syscall's flags / nstype argument; clone: clone_flags */
	__u64 cgroup_id;      /* cgroup events: the cgroup's id (kernfs id) */
	__s32 ret;            /* syscalls: the result (fd, 0, or -errno); clone: the child's pid */
	__u32 kinds;          /* CLONE_NEW* bits created (clone, unshare) or entered (setns) */
	__u32 target_pid;     /* clone: the new task; cgroup_attach: the task moved */
	__s32 fd;             /* setns: its fd; move_mount, open_tree: the dirfd; fsmount: the fs fd */
	__u32 hierarchy;      /* cgroup events: hierarchy id, 0 = the v2 (unified) one */
	__u32 level;          /* cgroup events: depth below the root */
	__u32 ns_ids[NS_KINDS]; /* the namespace inodes the task (and its next children) have afterwards */
	char target_comm[16]; /* clone: the new task's comm; cgroup_attach: the moved task's */
	__u16 str_len[NS_STRINGS]; /* bytes of each string at data, NUL included; 0 = absent */
	__u16 unused;
	char data[NS_DATA_LEN];
};
APIARY_EVENT_TYPE(ns_event);

/* A syscall in flight: what sys_exit needs from sys_enter. */
struct ns_pending {
	__u32 type;
	__u32 unused;
	__u64 args[5];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* an exit never seen (killed task) is evicted */
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct ns_pending);
} ns_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ns_event);
} ns_out SEC(".maps");

/* Before 6.18 the kind was ops->type; 6.18 moved it to ns_common.ns_type. */
struct proc_ns_operations___old {
	int type;
};

static __always_inline bool comm_starts(const char *comm, const char *prefix, int n)
{
	for (int i = 0; i < n; i++)
		if (comm[i] != prefix[i])
			return false;
	return true;
}

/* Whether the current task is a container runtime's (runc and its children runc:[0:PARENT]...). */
static __always_inline bool is_runtime_task(void)
{
	char c[16] = {};

	bpf_get_current_comm(c, sizeof(c));
	return comm_starts(c, "runc", 4) || comm_starts(c, "crun", 5) || comm_starts(c, "containerd", 10)
		|| comm_starts(c, "dockerd", 8) || comm_starts(c, "docker-init", 12) || comm_starts(c, "conmon", 7);
}

static __always_inline bool ns_watching(void)
{
	return apiary_watching() || (ns_follow_runtimes && is_runtime_task());
}

/* The namespaces a task has, pid and time those its next children get (what clone/unshare/setns change). */
static __always_inline void read_ns_ids(struct ns_event *e, struct task_struct *task)
{
	struct nsproxy *ns = BPF_CORE_READ(task, nsproxy);

	e->ns_ids[NS_IDX_MNT] = BPF_CORE_READ(ns, mnt_ns, ns.inum);
	e->ns_ids[NS_IDX_PID] = BPF_CORE_READ(ns, pid_ns_for_children, ns.inum);
	e->ns_ids[NS_IDX_NET] = BPF_CORE_READ(ns, net_ns, ns.inum);
	e->ns_ids[NS_IDX_IPC] = BPF_CORE_READ(ns, ipc_ns, ns.inum);
	e->ns_ids[NS_IDX_UTS] = BPF_CORE_READ(ns, uts_ns, ns.inum);
	e->ns_ids[NS_IDX_USER] = BPF_CORE_READ(task, cred, user_ns, ns.inum);
	e->ns_ids[NS_IDX_CGROUP] = BPF_CORE_READ(ns, cgroup_ns, ns.inum);
	e->ns_ids[NS_IDX_TIME] = BPF_CORE_READ(ns, time_ns_for_children, ns.inum);
}

/* A zeroed record in the per-CPU scratch with its header filled; NULL if unavailable. */
static __always_inline struct ns_event *ns_record(__u32 type)
{
	__u32 zero = 0;
	struct ns_event *e = bpf_map_lookup_elem(&ns_out, &zero);

	if (!e)
		return NULL;
	__builtin_memset(e, 0, offsetof(struct ns_event, data));
	apiary_fill_header(&e->hdr, type);
	return e;
}

/*
 * Appends string i at *off (user memory when user, else kernel) and records its length.
 * Strings must be appended in the order of i: the reader finds string i after those before it.
 */
static __always_inline void put_str(struct ns_event *e, __u32 *off, int i, const void *src, bool user)
{
	__u32 o = *off;
	long n;

	if (!src || i >= NS_STRINGS)
		return;
	if (user)
		n = bpf_probe_read_user_str(&e->data[o & 1023], NS_STR_LEN, src);
	else
		n = bpf_probe_read_kernel_str(&e->data[o & 1023], NS_STR_LEN, src);
	if (n <= 0)
		return;
	e->str_len[i] = n;
	*off = o + n;
}

static __always_inline void ns_send(struct ns_event *e, __u32 strings)
{
	__u64 size = offsetof(struct ns_event, data) + (strings & 1023);

	if (size > sizeof(*e))
		size = sizeof(*e);
	apiary_output(e, size);
}

/* ---- clone, clone3, fork: the new task with its namespaces -------------------------- */

SEC("tp_btf/task_newtask")
int BPF_PROG(ns_task_newtask, struct task_struct *task, __u64 clone_flags)
{
	struct ns_event *e;

	if (!(clone_flags & NS_KINDS_MASK) || !ns_watching())
		return 0;
	e = ns_record(NS_CLONE);
	if (!e)
		return 0;
	e->flags = clone_flags;
	e->kinds = clone_flags & NS_KINDS_MASK;
	e->target_pid = BPF_CORE_READ(task, pid);
	e->ret = e->target_pid;
	e->fd = -1;
	BPF_CORE_READ_STR_INTO(&e->target_comm, task, comm);
	read_ns_ids(e, task);
	ns_send(e, 0);
	return 0;
}

/* ---- syscalls: stash at enter, report at exit -------------------------------------- */

/*
 * Saves the first nargs arguments (a constant). Reading past a syscall's own arguments
 * would make the tracepoint refuse the program at attach (EACCES: the context is smaller).
 */
static __always_inline int stash(__u32 type, struct trace_event_raw_sys_enter *ctx, int nargs)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ns_pending p = {.type = type};

	if (!ns_watching())
		return 0;
	p.args[0] = ctx->args[0];
	if (nargs > 1)
		p.args[1] = ctx->args[1];
	if (nargs > 2)
		p.args[2] = ctx->args[2];
	if (nargs > 3)
		p.args[3] = ctx->args[3];
	if (nargs > 4)
		p.args[4] = ctx->args[4];
	bpf_map_update_elem(&ns_pending, &tid, &p, BPF_ANY);
	return 0;
}

/*
 * The namespace kind (CLONE_NEW*) and inode an fd of the current task names, when it is an
 * nsfs file (/proc/PID/ns/X); 0 for anything else (a pidfd, a closed fd).
 */
static __always_inline __u32 fd_namespace(int fd, __u32 *inum)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	struct inode *inode;
	struct ns_common *ns;
	__u32 kind;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	if (bpf_core_read(&file, sizeof(file), &fds[fd]) || !file)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	if (BPF_CORE_READ(inode, i_sb, s_magic) != NSFS_MAGIC_)
		return 0;
	ns = BPF_CORE_READ(inode, i_private);
	if (bpf_core_field_exists(ns->ns_type)) {
		kind = BPF_CORE_READ(ns, ns_type);
	} else {
		struct proc_ns_operations___old *ops = (void *)BPF_CORE_READ(ns, ops);
		kind = BPF_CORE_READ(ops, type);
	}
	*inum = BPF_CORE_READ(ns, inum);
	return kind & NS_KINDS_MASK;
}

static __always_inline int report(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ns_pending *p = bpf_map_lookup_elem(&ns_pending, &tid);
	struct ns_event *e;
	__u32 off = 0;

	if (!p)
		return 0;
	e = ns_record(p->type);
	if (!e)
		goto out;
	e->ret = ret;
	e->fd = -1;
	switch (p->type) {
	case NS_UNSHARE:
		e->flags = p->args[0];
		e->kinds = p->args[0] & NS_KINDS_MASK;
		read_ns_ids(e, (struct task_struct *)bpf_get_current_task());
		break;
	case NS_SETNS: {
		__u32 inum = 0;
		__u32 kind = fd_namespace((int)p->args[0], &inum);

		e->fd = (int)p->args[0];
		e->flags = p->args[1];
		/* nstype 0 means "whatever the fd is"; a pidfd's nstype lists the kinds itself. */
		e->kinds = kind ? kind : (p->args[1] & NS_KINDS_MASK);
		read_ns_ids(e, (struct task_struct *)bpf_get_current_task());
		break;
	}
	case NS_MOUNT:
		e->flags = p->args[3];
		put_str(e, &off, 0, (const void *)p->args[0], true); /* source */
		put_str(e, &off, 1, (const void *)p->args[1], true); /* target */
		put_str(e, &off, 2, (const void *)p->args[2], true); /* fs type */
		break;
	case NS_UMOUNT:
		e->flags = p->args[1];
		put_str(e, &off, 1, (const void *)p->args[0], true); /* target */
		break;
	case NS_PIVOT_ROOT:
		put_str(e, &off, 0, (const void *)p->args[1], true); /* put_old: where the old root goes */
		put_str(e, &off, 1, (const void *)p->args[0], true); /* new_root: where / goes */
		break;
	case NS_MOVE_MOUNT:
		e->fd = (int)p->args[0];
		e->flags = p->args[4];
		put_str(e, &off, 0, (const void *)p->args[1], true); /* from */
		put_str(e, &off, 1, (const void *)p->args[3], true); /* to */
		break;
	case NS_FSOPEN:
		e->flags = p->args[1];
		put_str(e, &off, 2, (const void *)p->args[0], true); /* fs type */
		break;
	case NS_FSMOUNT:
		e->fd = (int)p->args[0];
		e->flags = p->args[1];
		break;
	case NS_OPEN_TREE:
		e->fd = (int)p->args[0];
		e->flags = p->args[2];
		put_str(e, &off, 0, (const void *)p->args[1], true); /* the tree */
		break;
	}
	ns_send(e, off);
out:
	bpf_map_delete_elem(&ns_pending, &tid);
	return 0;
}

#define NS_SYSCALL(name, type, nargs)                                    \
	SEC("tracepoint/syscalls/sys_enter_" #name)                      \
	int ns_enter_##name(struct trace_event_raw_sys_enter *ctx)       \
	{                                                                \
		return stash(type, ctx, nargs);                          \
	}                                                                \
	SEC("tracepoint/syscalls/sys_exit_" #name)                       \
	int ns_exit_##name(struct trace_event_raw_sys_exit *ctx)         \
	{                                                                \
		return report(ctx->ret);                                 \
	}

/* unshare without a namespace flag (CLONE_FS, CLONE_FILES, or 0) is not a namespace event. */
SEC("tracepoint/syscalls/sys_enter_unshare")
int ns_enter_unshare(struct trace_event_raw_sys_enter *ctx)
{
	if (!(ctx->args[0] & NS_KINDS_MASK))
		return 0;
	return stash(NS_UNSHARE, ctx, 1);
}

SEC("tracepoint/syscalls/sys_exit_unshare")
int ns_exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	return report(ctx->ret);
}

NS_SYSCALL(setns, NS_SETNS, 2)
NS_SYSCALL(mount, NS_MOUNT, 5)
NS_SYSCALL(umount, NS_UMOUNT, 2) /* the umount2 syscall's tracepoint is named umount */
NS_SYSCALL(pivot_root, NS_PIVOT_ROOT, 2)
NS_SYSCALL(move_mount, NS_MOVE_MOUNT, 5)
NS_SYSCALL(fsopen, NS_FSOPEN, 2)
NS_SYSCALL(fsmount, NS_FSMOUNT, 3)
NS_SYSCALL(open_tree, NS_OPEN_TREE, 3)

/* ---- cgroups --------------------------------------------------------------------- */

/* A cgroup record with its path; *off gets the bytes of strings written. */
static __always_inline struct ns_event *cgroup_record(__u32 type, struct cgroup *cgrp, const char *path, __u32 *off)
{
	struct ns_event *e = ns_record(type);

	if (!e)
		return NULL;
	e->fd = -1;
	e->cgroup_id = BPF_CORE_READ(cgrp, kn, id);
	e->hierarchy = BPF_CORE_READ(cgrp, root, hierarchy_id);
	e->level = BPF_CORE_READ(cgrp, level);
	put_str(e, off, 0, path, false);
	return e;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(ns_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct ns_event *e;
	__u32 off = 0;

	if (!ns_watching())
		return 0;
	e = cgroup_record(NS_CGROUP_MKDIR, cgrp, path, &off);
	if (!e)
		return 0;
	ns_send(e, off);
	return 0;
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(ns_cgroup_attach, struct cgroup *dst, const char *path, struct task_struct *task, bool threadgroup)
{
	struct ns_event *e;
	__u32 off = 0;

	if (!ns_watching())
		return 0;
	e = cgroup_record(NS_CGROUP_ATTACH, dst, path, &off);
	if (!e)
		return 0;
	e->target_pid = BPF_CORE_READ(task, tgid);
	e->flags = threadgroup;
	BPF_CORE_READ_STR_INTO(&e->target_comm, task, comm);
	ns_send(e, off);
	return 0;
}
