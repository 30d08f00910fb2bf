/* The faulty tracker's good object: counts sys_enter in a map, sends nothing. */
#include "apiary/apiary.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} faulty_calls SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(faulty_count, struct pt_regs *regs, long id)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&faulty_calls, &zero);

	if (n)
		*n += 1;
	return 0;
}
