// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The exec tracker: one record per exec (successful or failed) and one per process exit.
 *
 * An exec goes through three points, and each is reported exactly once:
 *
 *   sys_enter_execve(at)   saves what only the caller's memory holds (the filename as
 *                          passed, the argument list) in exec_pending, keyed by thread id;
 *   sched_process_exec     the exec succeeded: emits the record with the resolved path of
 *                          the binary that now runs and ret 0, and drops the pending entry;
 *   sys_exit_execve(at)    runs after both; an entry still pending means the exec failed:
 *                          emits it with the returned error and the filename as passed.
 *
 * A process exit is reported when its last thread exits (not once per thread), with the
 * wait status its parent sees and how long the process lived.
 */
#include "apiary/apiary.h"
#include "apiary/watch.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define EXEC_EVENT_EXEC 1
#define EXEC_EVENT_EXIT 2

#define EXEC_PATH_LEN 512  /* the executable's path; longer ones keep their leaf end */
#define EXEC_ARGS_LEN 2048 /* argument strings, NUL-separated; power of two (masked offsets) */
#define EXEC_MAX_ARGS 20   /* arguments kept, argv[0] included */

/* exec_event.flags */
#define EXEC_FLAG_ARGS_CUT 1    /* more than EXEC_MAX_ARGS arguments or EXEC_ARGS_LEN bytes: the list was cut */
#define EXEC_FLAG_PATH_CUT 2    /* the path did not fit in EXEC_PATH_LEN */
#define EXEC_FLAG_ARGS_UNSEEN 4 /* the syscall's entry was not seen (attached mid-exec): no arguments */

#define PF_KTHREAD_FLAG 0x00200000   /* include/linux/sched.h; not in BTF (a macro) */
#define SIGNAL_GROUP_EXIT_FLAG 0x4   /* include/linux/sched/signal.h; not in BTF (a macro) */

/*
 * Only the used bytes are sent: the fixed fields, args_size bytes of arguments, then
 * path_size bytes of path (its NUL included). A /bin/true exec is about 100 bytes in the
 * ring instead of the 2.6 KiB the arrays could hold.
 */
struct exec_event {
	struct apiary_event_header hdr;
	__u64 process_start_ns; /* when the process was forked, CLOCK_BOOTTIME */
	__s32 ret;              /* 0, or the exec's negative errno */
	__u32 flags;            /* EXEC_FLAG_* */
	__u32 args_count;       /* strings in the arguments */
	__u32 args_size;        /* bytes of arguments at data[0], NULs included */
	__u32 path_size;        /* bytes of path at data[args_size], its NUL included */
	__u32 unused;
	char data[EXEC_ARGS_LEN + EXEC_PATH_LEN];
};
APIARY_EVENT_TYPE(exec_event);

struct exit_event {
	struct apiary_event_header hdr;
	__u64 process_start_ns; /* when the process was forked, CLOCK_BOOTTIME */
	__u64 lifetime_ns;      /* from fork to the exit of its last thread */
	__s32 status;           /* the wait status its parent sees: exit code << 8, or signal | 0x80 on a core dump */
};
APIARY_EVENT_TYPE(exit_event);

/* What sys_enter saw, waiting for the exec's outcome. */
struct exec_pending {
	__u32 flags;
	__u32 args_count;
	__u32 args_size;
	__u32 unused;
	char filename[EXEC_PATH_LEN];
	char args[EXEC_ARGS_LEN];
};

/*
 * Per-CPU room to assemble an exec_pending (too large for the 512-byte stack). The spill
 * after args lets each argument be read with the whole buffer as its bound from any offset
 * below EXEC_ARGS_LEN, which the verifier can check; what lands in it is cut off.
 */
struct exec_scratch {
	struct exec_pending pending;
	char spill[EXEC_ARGS_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} exec_scratch SEC(".maps");

/* Per-CPU room to build the exec record before apiary_output() copies its used bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_event);
} exec_out SEC(".maps");

/*
 * Execs in flight by thread id. LRU: an entry whose exit was never seen (a thread killed
 * in the middle of its execve) is evicted instead of filling the map.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct exec_pending);
} exec_pending SEC(".maps");

/* Reads argv into p->args: at most EXEC_MAX_ARGS strings and EXEC_ARGS_LEN bytes. */
static __always_inline void read_args(struct exec_scratch *s, const char *const *argv)
{
	struct exec_pending *p = &s->pending;
	__u32 off = 0;
	int i;

	for (i = 0; i < EXEC_MAX_ARGS; i++) {
		const char *arg = NULL;

		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			goto done;
		if (off >= EXEC_ARGS_LEN) {
			p->flags |= EXEC_FLAG_ARGS_CUT;
			goto done;
		}
		long n = bpf_probe_read_user_str(&p->args[off & (EXEC_ARGS_LEN - 1)], EXEC_ARGS_LEN, arg);
		if (n <= 0) {
			p->flags |= EXEC_FLAG_ARGS_CUT; /* unreadable: what follows is unknown */
			goto done;
		}
		if (off + n > EXEC_ARGS_LEN) {
			/* The argument ran into the spill: keep its beginning, end the list there. */
			p->args[EXEC_ARGS_LEN - 1] = '\0';
			p->args_count++;
			off = EXEC_ARGS_LEN;
			p->flags |= EXEC_FLAG_ARGS_CUT;
			goto done;
		}
		off += n;
		p->args_count++;
	}
	/* EXEC_MAX_ARGS read: is there one more? */
	{
		const char *more = NULL;

		if (!bpf_probe_read_user(&more, sizeof(more), &argv[EXEC_MAX_ARGS]) && more)
			p->flags |= EXEC_FLAG_ARGS_CUT;
	}
done:
	p->args_size = off;
}

static __always_inline int exec_enter(const char *filename, const char *const *argv)
{
	__u32 zero = 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_scratch *s;

	if (!apiary_watching())
		return 0;
	s = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!s)
		return 0;
	s->pending.flags = 0;
	s->pending.args_count = 0;
	s->pending.args_size = 0;
	if (APIARY_STR_MAYBE_CUT(apiary_read_user_str(s->pending.filename, EXEC_PATH_LEN, filename), EXEC_PATH_LEN))
		s->pending.flags |= EXEC_FLAG_PATH_CUT;
	read_args(s, argv);
	bpf_map_update_elem(&exec_pending, &tid, &s->pending, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int exec_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	return exec_enter((const char *)ctx->args[0], (const char *const *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int exec_enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
	return exec_enter((const char *)ctx->args[1], (const char *const *)ctx->args[2]);
}

/* When the current task's process was forked (its leader's start), CLOCK_BOOTTIME. */
static __always_inline __u64 process_start_ns(struct task_struct *task)
{
	/* start_boottime, not start_time: start_time is CLOCK_MONOTONIC, which stops in suspend. */
	return BPF_CORE_READ(task, group_leader, start_boottime);
}

/*
 * Builds an exec record in exec_out with everything but the path. NULL only if the
 * per-CPU map cannot be looked up.
 */
static __always_inline struct exec_event *exec_record(struct exec_pending *p, int ret)
{
	__u32 zero = 0;
	struct exec_event *e = bpf_map_lookup_elem(&exec_out, &zero);
	__u32 size;

	if (!e)
		return NULL;
	apiary_fill_header(&e->hdr, EXEC_EVENT_EXEC);
	e->process_start_ns = process_start_ns((struct task_struct *)bpf_get_current_task());
	e->ret = ret;
	e->path_size = 0;
	e->unused = 0;
	if (p) {
		size = p->args_size;
		if (size > EXEC_ARGS_LEN)
			size = EXEC_ARGS_LEN;
		e->flags = p->flags;
		e->args_count = p->args_count;
		e->args_size = size;
		bpf_probe_read_kernel(e->data, size, p->args);
	} else {
		e->flags = EXEC_FLAG_ARGS_UNSEEN;
		e->args_count = 0;
		e->args_size = 0;
	}
	return e;
}

/* Where the path goes: right after the arguments (args_size is at most EXEC_ARGS_LEN). */
static __always_inline char *exec_path_slot(struct exec_event *e)
{
	__u32 off = e->args_size;

	if (off > EXEC_ARGS_LEN)
		off = EXEC_ARGS_LEN;
	return &e->data[off];
}

/* Sends the record's used bytes, path_size included. */
static __always_inline void exec_send(struct exec_event *e, __u32 path_size)
{
	__u64 size;

	if (path_size > EXEC_PATH_LEN)
		path_size = EXEC_PATH_LEN;
	e->path_size = path_size;
	size = offsetof(struct exec_event, data) + e->args_size + path_size;
	if (size > sizeof(*e))
		size = sizeof(*e);
	apiary_output(e, size);
}

/*
 * The exec succeeded; the task runs the new binary. old_pid is the thread id the exec was
 * called from: a non-leader thread takes over the process's pid during the exec.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_success, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 key = old_pid;
	struct exec_pending *p;
	struct exec_event *e;
	char *path;
	__u32 len;

	if (!apiary_watching())
		return 0;
	p = bpf_map_lookup_elem(&exec_pending, &key);
	e = exec_record(p, 0);
	if (e) {
		/* The file the kernel loaded: for a script, its interpreter (argv says which script). */
		path = exec_path_slot(e);
		len = apiary_read_path(path, EXEC_PATH_LEN, &bprm->file->f_path);
		if (len == 0 && p)
			len = apiary_read_kernel_str(path, EXEC_PATH_LEN, p->filename);
		e->flags &= ~EXEC_FLAG_PATH_CUT;
		if (APIARY_STR_MAYBE_CUT(len, EXEC_PATH_LEN))
			e->flags |= EXEC_FLAG_PATH_CUT;
		exec_send(e, len);
	}
	if (p)
		bpf_map_delete_elem(&exec_pending, &key); /* sys_exit must not report it again */
	return 0;
}

/* After a successful exec nothing is pending any more: what is left failed. */
static __always_inline int exec_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_pending *p = bpf_map_lookup_elem(&exec_pending, &tid);
	struct exec_event *e;

	if (!p)
		return 0;
	e = exec_record(p, (int)ret);
	if (e)
		exec_send(e, apiary_read_kernel_str(exec_path_slot(e), EXEC_PATH_LEN, p->filename));
	bpf_map_delete_elem(&exec_pending, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int exec_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	return exec_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int exec_exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
	return exec_exit(ctx->ret);
}

/*
 * A thread exits. do_exit() has decremented signal->live before this tracepoint, so 0
 * means this is the process's last thread (Linux 6.16 passes that as group_dead too, but
 * older kernels do not).
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(process_exit, struct task_struct *task)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct signal_struct *signal;
	struct exit_event *e;
	__u64 start;
	int status;

	/* An exec killed half-way never reaches sys_exit: drop what it left. */
	bpf_map_delete_elem(&exec_pending, &tid);

	if (BPF_CORE_READ(task, flags) & PF_KTHREAD_FLAG)
		return 0;
	signal = BPF_CORE_READ(task, signal);
	if (BPF_CORE_READ(signal, live.counter) != 0)
		return 0;
	if (!apiary_watching())
		return 0;

	/* What wait() reports for the leader (wait_task_zombie): the group's code after exit_group or a fatal signal. */
	if (BPF_CORE_READ(signal, flags) & SIGNAL_GROUP_EXIT_FLAG)
		status = BPF_CORE_READ(signal, group_exit_code);
	else
		status = BPF_CORE_READ(task, group_leader, exit_code);

	e = apiary_reserve(struct exit_event);
	if (!e)
		return 0;
	apiary_fill_header(&e->hdr, EXEC_EVENT_EXIT);
	start = process_start_ns(task);
	e->process_start_ns = start;
	e->lifetime_ns = e->hdr.ts_ns - start; /* the header's time is the exit's: both CLOCK_BOOTTIME */
	e->status = status;
	apiary_submit(e);
	return 0;
}
