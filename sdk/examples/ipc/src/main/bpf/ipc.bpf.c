// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The ipc example tracker: how the processes of a container talk to each other.
 *
 *   signals         tp_btf/signal_generate: one record per signal sent (sender = current
 *                   task, target = the task the kernel queues it for, and what became of it)
 *   pipes           sys_enter/exit_pipe(2): one record per pipe created, with its two fds
 *   pipe/FIFO I/O   sys_enter/exit_read(v)/write(v) on a pipe or FIFO, counted per
 *                   (channel, process, direction) in ipc_flows; only a process's first
 *                   transfer on a channel goes to the ring (an "io" record)
 *   message queues  msgget and mq_open: one record each (a "queue" record); msgsnd/msgrcv
 *                   and mq_timedsend/mq_timedreceive counted in ipc_flows like pipe I/O
 *   Unix sockets    connect on AF_UNIX (path as passed) and accept of a Unix connection
 *                   (the listener's path), with the peer process the kernel recorded
 *
 * A syscall's entry saves what only it knows (a user pointer, the fd's channel) by thread
 * id; its exit reads the result and reports. Only tracepoints: no kprobes or fentry.
 */
#include "apiary/apiary.h"
#include "apiary/watch.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define IPC_EVENT_SIGNAL 1
#define IPC_EVENT_PIPE 2
#define IPC_EVENT_IO 3
#define IPC_EVENT_UNIX 4
#define IPC_EVENT_QUEUE 5

/* Channel kinds (ipc_flow_key.kind, ipc_io_event.kind, ipc_queue_event.kind). */
#define IPC_KIND_PIPE 1       /* anonymous pipe (pipefs) */
#define IPC_KIND_FIFO 2       /* named pipe on a file system */
#define IPC_KIND_SYSV_MSG 3   /* System V message queue: ino = msqid, dev = ipc namespace inode */
#define IPC_KIND_POSIX_MQ 4   /* POSIX message queue (mqueue fs) */

#define IPC_DIR_WRITE 1
#define IPC_DIR_READ 2

#define IPC_UNIX_CONNECT 1
#define IPC_UNIX_ACCEPT 2

#define IPC_PATH_LEN 108      /* sizeof(sun_path) */
#define IPC_NAME_LEN 128      /* POSIX queue names kept; longer ones are cut */

/* Not in BTF (macros). */
#define S_IFMT_BITS 0170000
#define S_IFIFO_BITS 0010000
#define S_IFSOCK_BITS 0140000
#define PIPEFS_MAGIC_NUM 0x50495045
#define AF_UNIX_NUM 1
#define SI_USER_CODE 0
#define SI_KERNEL_CODE 0x80

struct ipc_signal_event {
	struct apiary_event_header hdr;   /* the sender: the task that was current */
	__u64 target_cgroup_id;           /* cgroup v2 id of the target */
	__u32 target_pid;                 /* tgid of the target */
	__u32 target_tid;
	__s32 sig;
	__s32 code;                       /* si_code: 0 SI_USER (kill), -6 SI_TKILL, 0x80 SI_KERNEL, ... */
	__s32 result;                     /* enum trace_signal_result: 0 delivered, 1 ignored, 2 already pending, 3 overflow, 4 lost info */
	__u32 group;                      /* 1: sent to the whole thread group */
	char target_comm[APIARY_COMM_LEN];
};
APIARY_EVENT_TYPE(ipc_signal_event);

struct ipc_pipe_event {
	struct apiary_event_header hdr;
	__u64 ino;                        /* the pipe's inode number (pipe:[ino] in /proc/PID/fd) */
	__s32 ret;                        /* 0, or the negative errno */
	__s32 read_fd;
	__s32 write_fd;
	__u32 flags;                      /* pipe2's flags (O_CLOEXEC, O_NONBLOCK, O_DIRECT) */
};
APIARY_EVENT_TYPE(ipc_pipe_event);

/* A channel one process uses in one direction: the key of ipc_flows. */
struct ipc_flow_key {
	__u64 ino;                        /* inode number; msqid for a System V queue */
	__u32 dev;                        /* the inode's device; ipc namespace inode for a System V queue */
	__u32 pid;
	__u8 kind;                        /* IPC_KIND_* */
	__u8 dir;                         /* IPC_DIR_* */
	__u8 pad[6];
};

struct ipc_flow_value {
	__u64 bytes;
	__u64 ops;                        /* successful transfers */
	__u64 first_ns;                   /* CLOCK_BOOTTIME of the first, of the last */
	__u64 last_ns;
	__u64 cgroup_id;
	__u32 mnt_ns;
	__u32 tid;                        /* the thread of the first transfer */
	char comm[APIARY_COMM_LEN];
};

/* First transfer of a process on a channel in one direction; later ones are only counted. */
struct ipc_io_event {
	struct apiary_event_header hdr;
	__u64 ino;
	__u32 dev;
	__s32 fd;                         /* the fd (or msqid) used */
	__u64 bytes;                      /* of this first transfer */
	__u32 kind;
	__u32 dir;
};
APIARY_EVENT_TYPE(ipc_io_event);

struct ipc_unix_event {
	struct apiary_event_header hdr;
	__s32 ret;                        /* connect: 0 or -errno; accept: the new fd */
	__s32 fd;                         /* connect: the socket; accept: the listening socket */
	__u32 op;                         /* IPC_UNIX_CONNECT or IPC_UNIX_ACCEPT */
	__u32 peer_pid;                   /* the other end's process as the kernel recorded it (SO_PEERCRED), 0 if none */
	__u32 sock_type;                  /* 1 stream, 2 datagram, 5 seqpacket */
	__u32 path_len;                   /* bytes of path; path[0] == 0 means an abstract name */
	char path[IPC_PATH_LEN];
};
APIARY_EVENT_TYPE(ipc_unix_event);

struct ipc_queue_event {
	struct apiary_event_header hdr;
	__s64 key;                        /* System V: the key passed to msgget (0 = IPC_PRIVATE) */
	__s32 ret;                        /* msqid or mq fd, or the negative errno */
	__u32 kind;                       /* IPC_KIND_SYSV_MSG or IPC_KIND_POSIX_MQ */
	__u32 flags;                      /* msgflg or oflag */
	__u32 name_len;                   /* POSIX: bytes of name, its NUL included; IPC_NAME_LEN: cut */
	char name[IPC_NAME_LEN];
};
APIARY_EVENT_TYPE(ipc_queue_event);

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ipc_flow_key);
	__type(value, struct ipc_flow_value);
} ipc_flows SEC(".maps");

/* A read/write/send/receive in flight: the channel its fd names, by thread id. */
struct ipc_io_pending {
	__u64 ino;
	__u32 dev;
	__s32 fd;
	__u64 size;                       /* what was asked to send (msgsnd/mq_timedsend return 0) */
	__u8 kind;
	__u8 dir;
	__u8 size_is_result;              /* 1: the syscall returns 0 on success and size is the bytes */
	__u8 pad[5];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct ipc_io_pending);
} io_pending SEC(".maps");

/* User pointers saved at a syscall's entry for its exit (pipe fds, a queue name, a key). */
struct ipc_call_pending {
	__u64 arg0;
	__u64 arg1;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct ipc_call_pending);
} call_pending SEC(".maps");

/* A Unix connect in flight: the path as passed, by thread id. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct ipc_unix_event);
} connect_pending SEC(".maps");

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/* The struct file behind the current task's fd, or NULL. */
static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/* The pid number of a struct pid as the host sees it (level 0). */
static __always_inline __u32 host_pid_nr(struct pid *pid)
{
	return pid ? BPF_CORE_READ(pid, numbers[0].nr) : 0;
}

/* Reads the channel behind fd into p when it is a pipe, a FIFO or, for want_mq, a POSIX queue. */
static __always_inline bool channel_of_fd(int fd, bool want_mq, struct ipc_io_pending *p)
{
	struct file *file = fd_file(fd);
	struct inode *inode;
	__u16 mode;

	if (!file)
		return false;
	inode = BPF_CORE_READ(file, f_inode);
	mode = BPF_CORE_READ(inode, i_mode);
	if (want_mq) {
		p->kind = IPC_KIND_POSIX_MQ; /* mq_timedsend checks the fd itself and fails with EBADF otherwise */
	} else if ((mode & S_IFMT_BITS) == S_IFIFO_BITS) {
		p->kind = BPF_CORE_READ(inode, i_sb, s_magic) == PIPEFS_MAGIC_NUM ? IPC_KIND_PIPE : IPC_KIND_FIFO;
	} else {
		return false;
	}
	p->ino = BPF_CORE_READ(inode, i_ino);
	p->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	p->fd = fd;
	return true;
}

/* Counts one finished transfer; a process's first on a channel and direction is also reported. */
static __always_inline void count_transfer(struct ipc_io_pending *p, __u64 bytes)
{
	struct ipc_flow_key key = {};
	struct ipc_flow_value *v;
	__u64 now = bpf_ktime_get_boot_ns();

	key.ino = p->ino;
	key.dev = p->dev;
	key.pid = bpf_get_current_pid_tgid() >> 32;
	key.kind = p->kind;
	key.dir = p->dir;
	v = bpf_map_lookup_elem(&ipc_flows, &key);
	if (v) {
		__sync_fetch_and_add(&v->bytes, bytes);
		__sync_fetch_and_add(&v->ops, 1);
		v->last_ns = now;
		return;
	}

	struct ipc_flow_value init = {};
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	init.bytes = bytes;
	init.ops = 1;
	init.first_ns = now;
	init.last_ns = now;
	init.cgroup_id = bpf_get_current_cgroup_id();
	init.mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	init.tid = current_tid();
	bpf_get_current_comm(init.comm, sizeof(init.comm));
	if (bpf_map_update_elem(&ipc_flows, &key, &init, BPF_NOEXIST)) {
		/* Another thread of the process inserted it first: count into its entry. */
		v = bpf_map_lookup_elem(&ipc_flows, &key);
		if (v) {
			__sync_fetch_and_add(&v->bytes, bytes);
			__sync_fetch_and_add(&v->ops, 1);
		}
		return;
	}

	struct ipc_io_event *e = apiary_reserve(struct ipc_io_event);
	if (!e)
		return;
	apiary_fill_header(&e->hdr, IPC_EVENT_IO);
	e->ino = p->ino;
	e->dev = p->dev;
	e->fd = p->fd;
	e->bytes = bytes;
	e->kind = p->kind;
	e->dir = p->dir;
	apiary_submit(e);
}

/* ---- signals ---------------------------------------------------------------------------- */

SEC("tp_btf/signal_generate")
int BPF_PROG(ipc_signal, int sig, struct kernel_siginfo *info, struct task_struct *task, int group, int result)
{
	/* Sent from a watched task, or into one (docker kill from the host is IPC into the container). */
	if (!apiary_watching() && !apiary_watching_mnt_ns(BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum)))
		return 0;

	struct ipc_signal_event *e = apiary_reserve(struct ipc_signal_event);
	if (!e)
		return 0;
	apiary_fill_header(&e->hdr, IPC_EVENT_SIGNAL);
	e->target_cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	e->target_pid = BPF_CORE_READ(task, tgid);
	e->target_tid = BPF_CORE_READ(task, pid);
	e->sig = sig;
	/* SEND_SIG_NOINFO (0) and SEND_SIG_PRIV (1) are markers, not pointers: as the tracepoint itself reads them. */
	if ((unsigned long)info == 0)
		e->code = SI_USER_CODE;
	else if ((unsigned long)info == 1)
		e->code = SI_KERNEL_CODE;
	else
		e->code = BPF_CORE_READ(info, si_code);
	e->result = result;
	e->group = group != 0;
	BPF_CORE_READ_STR_INTO(&e->target_comm, task, comm);
	apiary_submit(e);
	return 0;
}

/* ---- pipes -------------------------------------------------------------------------------- */

static __always_inline int pipe_enter(__u64 fildes, __u64 flags)
{
	__u32 tid = current_tid();
	struct ipc_call_pending c = { .arg0 = fildes, .arg1 = flags };

	if (!apiary_watching())
		return 0;
	bpf_map_update_elem(&call_pending, &tid, &c, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_pipe2")
int ipc_enter_pipe2(struct trace_event_raw_sys_enter *ctx)
{
	return pipe_enter(ctx->args[0], ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_pipe")
int ipc_enter_pipe(struct trace_event_raw_sys_enter *ctx)
{
	return pipe_enter(ctx->args[0], 0);
}

static __always_inline int pipe_exit(long ret)
{
	__u32 tid = current_tid();
	struct ipc_call_pending *c = bpf_map_lookup_elem(&call_pending, &tid);
	struct ipc_pipe_event *e;
	int fds[2] = {-1, -1};

	if (!c)
		return 0;
	e = apiary_reserve(struct ipc_pipe_event);
	if (e) {
		apiary_fill_header(&e->hdr, IPC_EVENT_PIPE);
		e->ret = ret;
		e->flags = c->arg1;
		e->ino = 0;
		if (ret == 0 && !bpf_probe_read_user(fds, sizeof(fds), (void *)c->arg0)) {
			struct file *file = fd_file(fds[0]);

			if (file)
				e->ino = BPF_CORE_READ(file, f_inode, i_ino);
		}
		e->read_fd = fds[0];
		e->write_fd = fds[1];
		apiary_submit(e);
	}
	bpf_map_delete_elem(&call_pending, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_pipe2")
int ipc_exit_pipe2(struct trace_event_raw_sys_exit *ctx)
{
	return pipe_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_pipe")
int ipc_exit_pipe(struct trace_event_raw_sys_exit *ctx)
{
	return pipe_exit(ctx->ret);
}

/* ---- pipe and FIFO I/O -------------------------------------------------------------------- */

static __always_inline int io_enter(int fd, __u8 dir)
{
	struct ipc_io_pending p = {};
	__u32 tid;

	if (!apiary_watching())
		return 0;
	if (!channel_of_fd(fd, false, &p))
		return 0;
	p.dir = dir;
	tid = current_tid();
	bpf_map_update_elem(&io_pending, &tid, &p, BPF_ANY);
	return 0;
}

/* ret: bytes moved, 0, or -errno. Only entries that io_enter made are counted. */
static __always_inline int io_exit(long ret)
{
	__u32 tid = current_tid();
	struct ipc_io_pending *p = bpf_map_lookup_elem(&io_pending, &tid);

	if (!p)
		return 0;
	if (p->size_is_result && ret == 0)
		count_transfer(p, p->size);
	else if (!p->size_is_result && ret > 0)
		count_transfer(p, ret);
	bpf_map_delete_elem(&io_pending, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int ipc_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	return io_enter(ctx->args[0], IPC_DIR_WRITE);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int ipc_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	return io_enter(ctx->args[0], IPC_DIR_WRITE);
}

SEC("tracepoint/syscalls/sys_enter_read")
int ipc_enter_read(struct trace_event_raw_sys_enter *ctx)
{
	return io_enter(ctx->args[0], IPC_DIR_READ);
}

SEC("tracepoint/syscalls/sys_enter_readv")
int ipc_enter_readv(struct trace_event_raw_sys_enter *ctx)
{
	return io_enter(ctx->args[0], IPC_DIR_READ);
}

SEC("tracepoint/syscalls/sys_exit_write")
int ipc_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int ipc_exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_read")
int ipc_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_readv")
int ipc_exit_readv(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(ctx->ret);
}

/* ---- message queues ----------------------------------------------------------------------- */

SEC("tracepoint/syscalls/sys_enter_msgget")
int ipc_enter_msgget(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = current_tid();
	struct ipc_call_pending c = { .arg0 = ctx->args[0], .arg1 = ctx->args[1] };

	if (!apiary_watching())
		return 0;
	bpf_map_update_elem(&call_pending, &tid, &c, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_mq_open")
int ipc_enter_mq_open(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = current_tid();
	struct ipc_call_pending c = { .arg0 = ctx->args[0], .arg1 = ctx->args[1] };

	if (!apiary_watching())
		return 0;
	bpf_map_update_elem(&call_pending, &tid, &c, BPF_ANY);
	return 0;
}

static __always_inline int queue_exit(long ret, __u32 kind)
{
	__u32 tid = current_tid();
	struct ipc_call_pending *c = bpf_map_lookup_elem(&call_pending, &tid);
	struct ipc_queue_event *e;

	if (!c)
		return 0;
	e = apiary_reserve(struct ipc_queue_event);
	if (e) {
		apiary_fill_header(&e->hdr, IPC_EVENT_QUEUE);
		e->ret = ret;
		e->kind = kind;
		e->flags = c->arg1;
		if (kind == IPC_KIND_SYSV_MSG) {
			e->key = (__s32)c->arg0; /* key_t is an int */
			e->name_len = 0;
			e->name[0] = '\0';
		} else {
			e->key = 0;
			e->name_len = apiary_read_user_str(e->name, IPC_NAME_LEN, (const void *)c->arg0);
		}
		apiary_submit(e);
	}
	bpf_map_delete_elem(&call_pending, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_msgget")
int ipc_exit_msgget(struct trace_event_raw_sys_exit *ctx)
{
	return queue_exit(ctx->ret, IPC_KIND_SYSV_MSG);
}

SEC("tracepoint/syscalls/sys_exit_mq_open")
int ipc_exit_mq_open(struct trace_event_raw_sys_exit *ctx)
{
	return queue_exit(ctx->ret, IPC_KIND_POSIX_MQ);
}

/* A System V queue is named by its id within the task's ipc namespace. */
static __always_inline int msg_enter(int msqid, __u64 size, __u8 dir)
{
	struct ipc_io_pending p = {};
	struct task_struct *task;
	__u32 tid;

	if (!apiary_watching())
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	p.ino = (__u32)msqid;
	p.dev = BPF_CORE_READ(task, nsproxy, ipc_ns, ns.inum);
	p.fd = msqid;
	p.kind = IPC_KIND_SYSV_MSG;
	p.dir = dir;
	p.size = size;
	p.size_is_result = dir == IPC_DIR_WRITE; /* msgsnd returns 0, msgrcv the bytes */
	tid = current_tid();
	bpf_map_update_elem(&io_pending, &tid, &p, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_msgsnd")
int ipc_enter_msgsnd(struct trace_event_raw_sys_enter *ctx)
{
	return msg_enter(ctx->args[0], ctx->args[2], IPC_DIR_WRITE);
}

SEC("tracepoint/syscalls/sys_enter_msgrcv")
int ipc_enter_msgrcv(struct trace_event_raw_sys_enter *ctx)
{
	return msg_enter(ctx->args[0], 0, IPC_DIR_READ);
}

static __always_inline int mq_enter(int mqd, __u64 size, __u8 dir)
{
	struct ipc_io_pending p = {};
	__u32 tid;

	if (!apiary_watching())
		return 0;
	if (!channel_of_fd(mqd, true, &p))
		return 0;
	p.dir = dir;
	p.size = size;
	p.size_is_result = dir == IPC_DIR_WRITE; /* mq_timedsend returns 0, mq_timedreceive the bytes */
	tid = current_tid();
	bpf_map_update_elem(&io_pending, &tid, &p, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_mq_timedsend")
int ipc_enter_mq_timedsend(struct trace_event_raw_sys_enter *ctx)
{
	return mq_enter(ctx->args[0], ctx->args[2], IPC_DIR_WRITE);
}

SEC("tracepoint/syscalls/sys_enter_mq_timedreceive")
int ipc_enter_mq_timedreceive(struct trace_event_raw_sys_enter *ctx)
{
	return mq_enter(ctx->args[0], 0, IPC_DIR_READ);
}

SEC("tracepoint/syscalls/sys_exit_msgsnd")
int ipc_exit_msgsnd(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_msgrcv")
int ipc_exit_msgrcv(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_mq_timedsend")
int ipc_exit_mq_timedsend(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_mq_timedreceive")
int ipc_exit_mq_timedreceive(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(ctx->ret);
}

/* ---- Unix sockets ------------------------------------------------------------------------- */

/* The socket behind fd when it is an AF_UNIX one, else NULL. */
static __always_inline struct socket *unix_socket(int fd)
{
	struct file *file = fd_file(fd);
	struct socket *sock;

	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT_BITS) != S_IFSOCK_BITS)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock || BPF_CORE_READ(sock, sk, __sk_common.skc_family) != AF_UNIX_NUM)
		return NULL;
	return sock;
}

static __always_inline void set_peer(struct ipc_unix_event *e, struct socket *sock)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);

	e->peer_pid = host_pid_nr(BPF_CORE_READ(sk, sk_peer_pid));
	e->sock_type = BPF_CORE_READ(sock, type);
}

SEC("tracepoint/syscalls/sys_enter_connect")
int ipc_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = current_tid();
	__u16 family = 0;
	const char *addr = (const char *)ctx->args[1];
	long addrlen = (long)ctx->args[2];
	struct ipc_unix_event *e;

	if (!apiary_watching())
		return 0;
	if (bpf_probe_read_user(&family, sizeof(family), addr) || family != AF_UNIX_NUM)
		return 0;
	/* Built in place in the pending map: the record is too large for the stack. */
	if (bpf_map_update_elem(&connect_pending, &tid, &(struct ipc_unix_event){}, BPF_ANY))
		return 0;
	e = bpf_map_lookup_elem(&connect_pending, &tid);
	if (!e)
		return 0;
	e->fd = ctx->args[0];
	e->op = IPC_UNIX_CONNECT;
	addrlen -= sizeof(__u16);
	if (addrlen > IPC_PATH_LEN)
		addrlen = IPC_PATH_LEN;
	if (addrlen < 0)
		addrlen = 0;
	if (addrlen > 0 && bpf_probe_read_user(e->path, addrlen & 0x7f, addr + sizeof(__u16)))
		addrlen = 0;
	e->path_len = addrlen;
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int ipc_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = current_tid();
	struct ipc_unix_event *e = bpf_map_lookup_elem(&connect_pending, &tid);
	struct socket *sock;

	if (!e)
		return 0;
	apiary_fill_header(&e->hdr, IPC_EVENT_UNIX);
	e->ret = ctx->ret;
	sock = unix_socket(e->fd);
	if (sock)
		set_peer(e, sock);
	apiary_output(e, sizeof(*e));
	bpf_map_delete_elem(&connect_pending, &tid);
	return 0;
}

static __always_inline int accept_enter(int fd)
{
	__u32 tid = current_tid();
	struct ipc_call_pending c = { .arg0 = fd };

	if (!apiary_watching())
		return 0;
	bpf_map_update_elem(&call_pending, &tid, &c, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_accept4")
int ipc_enter_accept4(struct trace_event_raw_sys_enter *ctx)
{
	return accept_enter(ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_accept")
int ipc_enter_accept(struct trace_event_raw_sys_enter *ctx)
{
	return accept_enter(ctx->args[0]);
}

static __always_inline int accept_exit(long ret)
{
	__u32 tid = current_tid();
	struct ipc_call_pending *c = bpf_map_lookup_elem(&call_pending, &tid);
	struct socket *sock;
	struct unix_address *addr;
	struct ipc_unix_event *e;
	int len;

	if (!c)
		return 0;
	int listen_fd = c->arg0;
	bpf_map_delete_elem(&call_pending, &tid);
	if (ret < 0)
		return 0; /* a failed accept (EAGAIN of a non-blocking loop) is no connection */
	sock = unix_socket(ret);
	if (!sock)
		return 0;
	e = apiary_reserve(struct ipc_unix_event);
	if (!e)
		return 0;
	apiary_fill_header(&e->hdr, IPC_EVENT_UNIX);
	e->ret = ret;
	e->fd = listen_fd;
	e->op = IPC_UNIX_ACCEPT;
	e->peer_pid = 0;
	e->sock_type = 0;
	set_peer(e, sock);
	/* The accepted socket shares the listener's address (unix_stream_connect). */
	struct unix_sock *us = (struct unix_sock *)BPF_CORE_READ(sock, sk);
	addr = BPF_CORE_READ(us, addr);
	len = addr ? BPF_CORE_READ(addr, len) - (int)sizeof(__u16) : 0;
	if (len > IPC_PATH_LEN)
		len = IPC_PATH_LEN;
	if (len < 0)
		len = 0;
	if (len > 0 && bpf_probe_read_kernel(e->path, len & 0x7f, (void *)addr + bpf_core_type_size(struct unix_address) + sizeof(__u16)))
		len = 0;
	e->path_len = len;
	apiary_submit(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int ipc_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int ipc_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx->ret);
}
