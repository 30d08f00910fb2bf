// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A program the verifier must reject: it uses a hash map lookup's result without a NULL
 * check. (A hash map: for an array and a constant key, recent kernels know the lookup
 * cannot fail.)
 */
#include "apiary/apiary.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int unchecked_lookup(void *ctx)
{
	__u32 zero = 0;
	__u64 *value = bpf_map_lookup_elem(&counter, &zero);

	*value += 1; /* the verifier: "invalid mem access 'map_value_or_null'" */
	return 0;
}
