/* A map declared to survive reloads: pinned by name under the pin root the loader gives. */
#include "apiary/apiary.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} kept_counts SEC(".maps");

/* Not pinned: fresh on every load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} fresh_counts SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(count_enter, struct pt_regs *regs, long id)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&fresh_counts, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
