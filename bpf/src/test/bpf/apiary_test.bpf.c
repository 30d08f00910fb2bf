// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The BPF object of apiary-bpf's own tests: one program of each kind the API has to
 * handle, each doing something a test can check from user space.
 */
#include "apiary/apiary.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TEST_EVENT_OPEN 1
#define TEST_EVENT_EXEC 2
#define TEST_EVENT_FILL 3

#define TEST_PATH_LEN 256

#define O_TRUNC_FLAG 01000 /* O_TRUNC on every architecture Apiary runs on */

struct test_event {
	struct apiary_event_header hdr;
	__s32 flags;
	__u32 path_len; /* as returned by the string helpers: bytes including the NUL */
	char path[TEST_PATH_LEN];
};
APIARY_EVENT_TYPE(test_event);

/* Configuration, set by the loader before load (read-only for the program). */
const volatile __u32 target_tgid = 0;      /* whose openat() calls are reported */
const volatile __u32 exec_parent_tgid = 0; /* whose children's execs are reported */
const volatile bool report_opens = true;

/* How many getppid() calls target_tgid made: per CPU, summed by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} getppid_calls SEC(".maps");

/* A plain hash map that the tests drive from user space only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} scratch_kv SEC(".maps");

/* Packets and bytes seen by the XDP program: index 0 packets, 1 bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} xdp_counts SEC(".maps");

/*
 * openat() by the target process. Opens with O_TRUNC are reserved, filled and then
 * discarded, so the tests can check that the reader skips discarded records.
 */
SEC("tracepoint/syscalls/sys_enter_openat")
int test_openat(struct trace_event_raw_sys_enter *ctx)
{
	if (!report_opens || (bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;

	struct test_event *e = apiary_reserve(struct test_event);
	if (!e)
		return 0;
	apiary_fill_header(&e->hdr, TEST_EVENT_OPEN);
	e->flags = (__s32)ctx->args[2];
	e->path_len = apiary_read_user_str(e->path, sizeof(e->path), (const void *)ctx->args[1]);
	if (e->flags & O_TRUNC_FLAG)
		apiary_discard(e);
	else
		apiary_submit(e);
	return 0;
}

/* A successful exec by a child of exec_parent_tgid, with the executable's resolved path. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(test_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (BPF_CORE_READ(p, real_parent, tgid) != exec_parent_tgid)
		return 0;

	struct test_event *e = apiary_reserve(struct test_event);
	if (!e)
		return 0;
	apiary_fill_header(&e->hdr, TEST_EVENT_EXEC);
	e->flags = 0;
	e->path_len = apiary_read_path(e->path, sizeof(e->path), &bprm->file->f_path);
	apiary_submit(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int test_getppid(void *ctx)
{
	__u32 zero = 0;
	__u64 *count;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	count = bpf_map_lookup_elem(&getppid_calls, &zero);
	if (count)
		*count += 1;
	return 0;
}

SEC("xdp")
int test_xdp(struct xdp_md *ctx)
{
	__u32 packets = 0, bytes = 1;
	__u64 *v;

	v = bpf_map_lookup_elem(&xdp_counts, &packets);
	if (v)
		*v += 1;
	v = bpf_map_lookup_elem(&xdp_counts, &bytes);
	if (v)
		*v += ctx->data_end - ctx->data;
	return XDP_PASS;
}

/* Packets on a tcx hook: index 0 for ingress, 1 for egress; lets every packet through. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} tc_counts SEC(".maps");

SEC("tc")
int test_tc(struct __sk_buff *skb)
{
	__u32 hook = skb->ingress_ifindex ? 0 : 1;
	__u64 *v = bpf_map_lookup_elem(&tc_counts, &hook);

	if (v)
		*v += 1;
	return TCX_NEXT;
}

/*
 * Fills the ring with `fill_count` records of the target's header, without any syscall
 * per record; run through BPF_PROG_TEST_RUN. Loads only when asked for (autoload off).
 */
const volatile __u32 fill_count = 0;

static long fill_one(__u64 index, void *ctx)
{
	struct test_event *e = apiary_reserve(struct test_event);
	if (!e)
		return 0; /* counted as lost; keep going so the lost count is exact */
	apiary_fill_header(&e->hdr, TEST_EVENT_FILL);
	e->flags = (__s32)index;
	e->path_len = 0;
	e->path[0] = '\0';
	e->path[TEST_PATH_LEN - 1] = (char)(index + 1); /* the record's last byte: a wrapped one arrives whole */
	apiary_submit(e);
	return 0;
}

SEC("raw_tp")
int test_fill(void *ctx)
{
	bpf_loop(fill_count, fill_one, NULL, 0);
	return 0;
}
