// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The syscall tracker: every system call of a watched task counted per cgroup and syscall
 * number, in the kernel, with no ring-buffer record; and, for one chosen cgroup at a time,
 * a rate-limited stream of its syscalls with their arguments and return values.
 *
 * This program runs on every system call of the machine, so its fast path is as short as
 * it can be made (measured in bench/syscall):
 *
 *   cgroup id ──hash──▶ cgroup_slots: the cgroup's slot, or SYSCALL_SLOT_NONE (not watched)
 *   slot ──per-CPU array (inlined lookup)──▶ a row of SYSCALL_NR_MAX u64 counters ──▶ ++
 *
 * one helper call, one hash lookup and a plain increment of this CPU's own counter: no
 * lock, no atomic instruction, no shared cache line between CPUs. The watch decision
 * (apiary_watching(), up to three hash lookups and a pointer walk) is made once per cgroup,
 * when its first syscall is seen, and cached in its cgroup_slots entry with the mount
 * namespace it was made for; user space re-checks the cached decisions against the watch map
 * every interval and deletes the entries whose decision changed, so the next syscall makes
 * it again. User space also reclaims the slots of cgroups idle for a while: it deletes the
 * entry, reads the slot's last counts an interval later, zeroes the row and pushes the slot
 * to free_slots, where the kernel takes it for the next new cgroup.
 *
 * The trace: syscall_trace_target names one cgroup. Its syscalls take a token from this
 * CPU's bucket at entry (or are counted as dropped when it is empty); the entry's number,
 * arguments and time wait in trace_pending under the thread id, and the exit program (attached
 * only while a trace runs: it costs every syscall of the machine otherwise) sends one record
 * with the return value.
 */
#include "apiary/apiary.h"
#include "apiary/watch.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define SYSCALL_NR_MAX 512           /* counters per slot; x86-64 and arm64 numbers are below it */
#define SYSCALL_SLOT_NONE 0xffffffffU /* cgroup_slots value of a cgroup that is not watched */
#define SYSCALL_EVENT 1

/* syscall_misses indexes (per-CPU counters) */
#define MISS_SLOTS_FULL 0   /* a watched cgroup found no free slot: its syscalls are not counted */
#define MISS_TRACE_RATE 1   /* a traced syscall found this CPU's bucket empty */
#define MISS_NR_RANGE 2     /* a syscall number >= SYSCALL_NR_MAX (or negative) */
#define MISS_COUNT 4

/* One cgroup's slot in syscall_counts, and the watch decision cached with it. */
struct cgroup_slot {
	__u32 slot;   /* index in syscall_counts, or SYSCALL_SLOT_NONE when not watched */
	__u32 mnt_ns; /* the mount namespace the decision was made for */
};
APIARY_EVENT_TYPE(cgroup_slot);

struct syscall_row {
	__u64 count[SYSCALL_NR_MAX];
};
APIARY_EVENT_TYPE(syscall_row);

/* What is being traced; cgroup_id 0: nothing. Written by user space. */
struct syscall_trace_cfg {
	__u64 cgroup_id;
	__u64 rate;  /* events per second per CPU */
	__u64 burst; /* events a bucket holds */
};
APIARY_EVENT_TYPE(syscall_trace_cfg);

/* A CPU's token bucket, tokens in billionths so that refills need no division. */
struct syscall_bucket {
	__u64 nano_tokens;
	__u64 last_ns;
};

struct syscall_pending {
	__u64 task_start; /* the thread's start time: a reused thread id must not pick up a dead thread's entry */
	__u64 enter_ns;
	__u64 nr;
	__u64 args[6];
};

struct syscall_event {
	struct apiary_event_header hdr; /* ts_ns: the exit's time */
	__u64 enter_ns;                 /* the entry's time, CLOCK_BOOTTIME */
	__s64 ret;                      /* the return value: a negative errno on failure */
	__u64 args[6];                  /* the six argument registers, raw */
	__u32 nr;                       /* the syscall number */
	__u32 unused;
};
APIARY_EVENT_TYPE(syscall_event);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* every cgroup with syscalls, the host's own included */
	__type(key, __u64);
	__type(value, struct cgroup_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME); /* kept across tracker:update */
} cgroup_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1024); /* slots: cgroups counted at once; the loader may resize */
	__type(key, __u32);
	__type(value, struct syscall_row);
	__uint(pinning, LIBBPF_PIN_BY_NAME); /* kept across tracker:update */
} syscall_counts SEC(".maps");

/*
 * Slots not in use, their rows zeroed. User space fills it with every slot before it
 * attaches and pushes back the slots it reclaims.
 */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 1024); /* as syscall_counts */
	__type(value, __u32);
} free_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MISS_COUNT);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME); /* kept across tracker:update */
} syscall_misses SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syscall_trace_cfg);
} syscall_trace_target SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syscall_bucket);
} trace_buckets SEC(".maps");

/* Traced syscalls between entry and exit, by thread id. LRU: exit/exit_group never return. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct syscall_pending);
} trace_pending SEC(".maps");

/* libbpf 1.1 has no PT_REGS_PARM6 macros. */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_PARM6(regs) BPF_CORE_READ(regs, r9)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_PARM6(regs) BPF_CORE_READ((struct user_pt_regs *)(regs), regs[5])
#else
#error "syscall.bpf.c: the sixth syscall argument's register is not known for this architecture"
#endif

static __always_inline void count_miss(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&syscall_misses, &which);

	if (n)
		*n += 1; /* per-CPU slot: no other writer */
}

/* The slow path, once per cgroup: decide whether it is watched and give it a slot. */
static __noinline struct cgroup_slot *new_cgroup(__u64 cgroup_id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cgroup_slot entry = {.slot = SYSCALL_SLOT_NONE};
	__u32 slot;

	if (!task)
		return NULL;
	entry.mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	if (apiary_watching_mnt_ns(entry.mnt_ns)) {
		if (bpf_map_pop_elem(&free_slots, &slot) == 0) {
			entry.slot = slot;
		} else {
			/*
			 * Cached as not counted; user space sees a watched namespace with no slot,
			 * deletes the entry, and the next syscall tries again.
			 */
			count_miss(MISS_SLOTS_FULL);
		}
	}
	/* Another CPU may have inserted it meanwhile: keep theirs and give the slot back. */
	if (bpf_map_update_elem(&cgroup_slots, &cgroup_id, &entry, BPF_NOEXIST) && entry.slot != SYSCALL_SLOT_NONE)
		bpf_map_push_elem(&free_slots, &entry.slot, 0);
	return bpf_map_lookup_elem(&cgroup_slots, &cgroup_id);
}

/* Whether this CPU's bucket has a token for one more traced syscall; takes it if so. */
static __always_inline bool take_token(struct syscall_trace_cfg *t, __u64 now)
{
	__u32 zero = 0;
	struct syscall_bucket *b = bpf_map_lookup_elem(&trace_buckets, &zero);
	__u64 elapsed, cap;

	if (!b)
		return false;
	cap = t->burst * 1000000000ULL;
	elapsed = now - b->last_ns;
	if (elapsed > 1000000000ULL)
		elapsed = 1000000000ULL; /* a full bucket needs at most a second; keeps the product in range */
	b->last_ns = now;
	b->nano_tokens += elapsed * t->rate;
	if (b->nano_tokens > cap)
		b->nano_tokens = cap;
	if (b->nano_tokens < 1000000000ULL)
		return false;
	b->nano_tokens -= 1000000000ULL;
	return true;
}

static __noinline void trace_enter(struct pt_regs *regs, long id)
{
	__u32 zero = 0, tid;
	struct syscall_pending e;
	__u64 now = bpf_ktime_get_boot_ns();
	struct syscall_trace_cfg *t = bpf_map_lookup_elem(&syscall_trace_target, &zero);

	if (!t)
		return;
	if (!take_token(t, now)) {
		count_miss(MISS_TRACE_RATE);
		return;
	}
	e.task_start = bpf_get_current_task_btf()->start_time;
	e.enter_ns = now;
	e.nr = id;
	/* The syscall's arguments as the kernel's syscall wrappers read them (x86-64: di, si, dx, r10, r8, r9). */
	e.args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	e.args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	e.args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	e.args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	e.args[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	e.args[5] = SYSCALL_PARM6(regs);
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&trace_pending, &tid, &e, BPF_ANY);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(syscall_enter, struct pt_regs *regs, long id)
{
	__u64 cgroup_id = bpf_get_current_cgroup_id();
	struct cgroup_slot *cs = bpf_map_lookup_elem(&cgroup_slots, &cgroup_id);
	struct syscall_row *row;
	struct syscall_trace_cfg *t;
	__u32 slot, zero = 0;

	if (apiary_paused) /* stopping: the pinned maps belong to the next version now */
		return 0;
	if (!cs) {
		cs = new_cgroup(cgroup_id);
		if (!cs)
			return 0;
	}
	slot = cs->slot;
	if (slot == SYSCALL_SLOT_NONE)
		return 0;
	row = bpf_map_lookup_elem(&syscall_counts, &slot);
	if (!row)
		return 0;
	if ((unsigned long)id < SYSCALL_NR_MAX)
		row->count[id] += 1; /* this CPU's own row: no other writer */
	else
		count_miss(MISS_NR_RANGE);

	t = bpf_map_lookup_elem(&syscall_trace_target, &zero);
	if (t && t->cgroup_id == cgroup_id)
		trace_enter(regs, id);
	return 0;
}

/* Attached only while a trace runs (user space attaches and detaches it). */
SEC("tp_btf/sys_exit")
int BPF_PROG(syscall_exit, struct pt_regs *regs, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct syscall_pending *p = bpf_map_lookup_elem(&trace_pending, &tid);
	struct syscall_event *e;

	if (!p)
		return 0;
	/*
	 * exit and exit_group never return, so their entries stay until the LRU evicts them; a
	 * new thread given the same id then returns from its fork here. Only the thread that
	 * entered may report.
	 */
	if (p->task_start != bpf_get_current_task_btf()->start_time) {
		bpf_map_delete_elem(&trace_pending, &tid);
		return 0;
	}
	e = apiary_reserve(struct syscall_event);
	if (e) {
		apiary_fill_header(&e->hdr, SYSCALL_EVENT);
		e->enter_ns = p->enter_ns;
		e->ret = ret;
		e->nr = p->nr;
		e->unused = 0;
		__builtin_memcpy(e->args, p->args, sizeof(e->args));
		apiary_submit(e);
	}
	bpf_map_delete_elem(&trace_pending, &tid);
	return 0;
}
