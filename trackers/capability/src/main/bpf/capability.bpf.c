// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The capability tracker's kernel side: every capability check of a watched task
 * (tp_btf/cap_capable: the credentials checked, the user namespaces, the capability, the
 * result), counted in the kernel per (cgroup, capability, result, process name). Only the
 * first check of each such key is sent through the ring buffer, with the syscall it was
 * made in; the counts cover the rest and the tracker reads them from cap_checks.
 *
 * Its Java twin is CapabilityDecoder (layout checked against this object's BTF at load).
 */
#include "apiary/apiary.h"
#include "apiary/watch.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define CAP_EVENT_CHECK 1 /* apiary_event_header.type: the first check of a key */

/* What the kernel counts: one container's checks of one capability with one result, by one process name. */
struct cap_key {
	__u64 cgroup_id;
	__s32 cap;
	__u32 denied;            /* 0: granted, 1: refused */
	char comm[APIARY_COMM_LEN];
};
APIARY_EVENT_TYPE(cap_key);

/*
 * LRU: a machine's worth of keys fits (16384 by default, setting checks.max); when it is full
 * the least recently checked key goes, and its next check is sent again as a first one.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct cap_key);
	__type(value, __u64);
} cap_checks SEC(".maps");

struct cap_event {
	struct apiary_event_header hdr;
	__s32 cap;          /* CAP_CHOWN 0 ... CAP_CHECKPOINT_RESTORE 40 */
	__s32 ret;          /* 0: granted, else the error the check returned (-EPERM) */
	__s64 syscall_nr;   /* the syscall the task was in (its registers), -1 outside one */
	__u32 capable_ns;   /* inode of the user namespace the capability was checked in */
	__u32 target_ns;    /* inode of the user namespace of the object acted on */
	__u32 cred_uid;     /* the checked credentials' effective uid */
	__u32 pad;
};
APIARY_EVENT_TYPE(cap_event);

/* Whether granted checks are sent and counted too (setting granted), or only refusals. */
const volatile __u32 cap_report_granted = 1;

static __always_inline __s64 cap_syscall_nr(void)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	if (!regs)
		return -1;
#if defined(__TARGET_ARCH_x86)
	return (__s64)BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return (__s64)BPF_CORE_READ(regs, syscallno);
#else
	return -1;
#endif
}

SEC("tp_btf/cap_capable")
int BPF_PROG(cap_capable, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	struct cap_key key = {};
	struct cap_event *e;
	__u64 one = 1, *count;

	if (!apiary_watching())
		return 0;
	if (ret == 0 && !cap_report_granted)
		return 0;
	key.cgroup_id = bpf_get_current_cgroup_id();
	key.cap = cap;
	key.denied = ret != 0;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	count = bpf_map_lookup_elem(&cap_checks, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
		return 0;
	}
	/* NOEXIST: of two CPUs racing on a new key, one sends the first check, the other counts. */
	if (bpf_map_update_elem(&cap_checks, &key, &one, BPF_NOEXIST) != 0) {
		count = bpf_map_lookup_elem(&cap_checks, &key);
		if (count)
			__sync_fetch_and_add(count, 1);
		return 0;
	}
	e = apiary_reserve(struct cap_event);
	if (!e)
		return 0; /* counted as lost; the kernel count has it */
	apiary_fill_header(&e->hdr, CAP_EVENT_CHECK);
	e->cap = cap;
	e->ret = ret;
	e->syscall_nr = cap_syscall_nr();
	e->capable_ns = BPF_CORE_READ(capable_ns, ns.inum);
	e->target_ns = BPF_CORE_READ(target_ns, ns.inum);
	e->cred_uid = BPF_CORE_READ(cred, euid.val);
	e->pad = 0;
	apiary_submit(e);
	return 0;
}
