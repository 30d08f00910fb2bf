/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The header that starts every record an Apiary tracker writes to its ring buffer.
 *
 * Its Java twin is dev.apiary.bpf.EventHeader; the Java side checks the two against
 * the object's BTF when it loads, so change both together.
 */
#ifndef APIARY_EVENT_H
#define APIARY_EVENT_H

#define APIARY_COMM_LEN 16

struct apiary_event_header {
	__u64 ts_ns;      /* bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME, counts suspend */
	__u64 cgroup_id;  /* cgroup v2 id of the task (the container's cgroup) */
	__u32 pid;        /* process id (tgid) as the host sees it */
	__u32 tid;        /* thread id as the host sees it */
	__u32 ppid;       /* real parent's tgid */
	__u32 uid;
	__u32 gid;
	__u32 mnt_ns;     /* namespace inode numbers, as in /proc/PID/ns/ */
	__u32 pid_ns;
	__u32 net_ns;
	__u32 type;       /* the tracker's own event type */
	__u32 cpu;
	char comm[APIARY_COMM_LEN];
};

/*
 * Puts a record type into the object's BTF. clang emits BTF only for types reachable
 * from globals and function signatures, not for those of local variables, so a type that
 * only ever sits in the ring buffer would be missing from it; user space reads event
 * layouts from BTF. Use once per record type, at file scope:
 *
 *   APIARY_EVENT_TYPE(exec_event);
 */
#define APIARY_EVENT_TYPE(name) \
	const struct name *apiary__event_type_##name __attribute__((unused))

APIARY_EVENT_TYPE(apiary_event_header);

/* The pid namespace the task lives in (not the one its children will get). */
static __always_inline __u32 apiary_task_pid_ns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level]);
	return BPF_CORE_READ(upid.ns, ns.inum);
}

/*
 * Fills the header for the current task. Works in every program type that runs in task
 * context (tracepoint, raw_tracepoint, tp_btf); a task that is exiting may have no
 * namespaces left, and then their ids are 0.
 */
static __always_inline void apiary_fill_header(struct apiary_event_header *h, __u32 type)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	h->ts_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = (__u32)uid_gid;
	h->gid = uid_gid >> 32;
	h->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	h->pid_ns = apiary_task_pid_ns(task);
	h->net_ns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	h->type = type;
	h->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

#endif /* APIARY_EVENT_H */
