// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The producer of the ring-buffer reader benchmark: one run of `ringfill` (through
 * BPF_PROG_TEST_RUN, on the caller's thread) writes `fill_count` records into the
 * tracker ring `apiary_events`, as a real tracker would write them: reserve, fill the
 * common header, fill the payload, submit.
 *
 * The Java reader (dev.apiary.bench.RingBufferBench) and the C libbpf consumer
 * (bench/c/ringbuf_consume.c) load this same object file, so both read the same records.
 *
 * Record: struct bench_event, 80 bytes (72-byte apiary_event_header + 8-byte payload);
 * in the ring each takes 88 bytes (the kernel's 8-byte record header, already 8-aligned).
 */
#include "apiary/apiary.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define BENCH_EVENT_FILL 1

struct bench_event {
	struct apiary_event_header hdr;
	__u64 seq; /* the record's index within its fill */
};

/* Both consumers read the record's size from the object's BTF. */
APIARY_EVENT_TYPE(bench_event);

/* Records written per run; set by the loader before load. */
const volatile __u32 fill_count = 0;

static long fill_one(__u64 index, void *ctx)
{
	__u32 *written = ctx;
	struct bench_event *e = apiary_reserve(struct bench_event);

	if (!e)
		return 0; /* counted in apiary_events_lost; keep going so the count is exact */
	apiary_fill_header(&e->hdr, BENCH_EVENT_FILL);
	e->seq = index;
	apiary_submit(e);
	*written += 1;
	return 0;
}

/* Returns the number of records written (fill_count unless the ring was full). */
SEC("raw_tp")
int ringfill(void *ctx)
{
	__u32 written = 0;

	bpf_loop(fill_count, fill_one, &written, 0);
	return written;
}
