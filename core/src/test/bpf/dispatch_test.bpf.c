// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test object for core: one numbered record per getppid() call of one process, filtered
 * through the shared watched-namespaces map, so the tests control exactly what reaches the
 * dispatcher.
 */
#include "apiary/apiary.h"
#include "apiary/watch.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 target_tgid = 0;

struct tick_event {
	struct apiary_event_header header;
	__u64 seq;
};
APIARY_EVENT_TYPE(tick_event);

__u64 next_seq = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int tick(void *ctx)
{
	struct tick_event *e;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid || !apiary_watching())
		return 0;
	e = apiary_reserve(struct tick_event);
	if (!e)
		return 0;
	apiary_fill_header(&e->header, 1);
	e->seq = __sync_fetch_and_add(&next_seq, 1);
	apiary_submit(e);
	return 0;
}
