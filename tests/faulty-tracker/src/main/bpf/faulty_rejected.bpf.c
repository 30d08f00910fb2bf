/* The faulty tracker's broken object: the verifier rejects its unchecked map value. */
#include "apiary/apiary.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} faulty_counter SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(faulty_unchecked, struct pt_regs *regs, long id)
{
	__u32 zero = 0;
	__u64 *value = bpf_map_lookup_elem(&faulty_counter, &zero);

	*value += 1; /* "invalid mem access 'map_value_or_null'" */
	return 0;
}
