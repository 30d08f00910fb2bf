/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Each tracker object has one ring buffer, `apiary_events`, and a per-CPU counter of the
 * records it could not reserve, `apiary_events_lost`. Core reads the ring directly from
 * its mapped pages and reports the lost count; nothing is dropped silently.
 *
 *   struct my_event *e = apiary_reserve(struct my_event);
 *   if (!e)
 *           return 0;              // counted as lost
 *   apiary_fill_header(&e->hdr, MY_EVENT);
 *   ...
 *   apiary_submit(e);              // or apiary_discard(e)
 *
 * A record whose size varies (strings, paths) is built in a per-CPU scratch map instead
 * and copied with apiary_output(rec, used_bytes): reserving the largest size for every
 * record would fill the ring with unused bytes.
 *
 * Wakeups: waking the reader for every record costs the traced workload several times
 * more, so apiary_submit() wakes it only when at least `apiary_wakeup_bytes` wait; the
 * reader also polls on a short timeout. The loader sets the threshold before load.
 */
#ifndef APIARY_RINGBUF_H
#define APIARY_RINGBUF_H

#ifndef APIARY_RINGBUF_BYTES
#define APIARY_RINGBUF_BYTES (256 * 1024) /* power of two, multiple of the page size; resizable before load */
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, APIARY_RINGBUF_BYTES);
} apiary_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} apiary_events_lost SEC(".maps");

/* Bytes that must wait in the ring before a submit wakes the reader; 0 wakes on every record. */
const volatile __u32 apiary_wakeup_bytes = 0;

static __always_inline void apiary_count_lost(void)
{
	__u32 zero = 0;
	__u64 *lost = bpf_map_lookup_elem(&apiary_events_lost, &zero);

	if (lost)
		*lost += 1; /* per-CPU slot: no other writer */
}

static __always_inline void *apiary__reserve(__u64 size)
{
	void *rec = bpf_ringbuf_reserve(&apiary_events, size, 0);

	if (!rec)
		apiary_count_lost();
	return rec;
}

/* Reserves one record of a fixed-size type; NULL (and counted as lost) when the ring is full. */
#define apiary_reserve(type) ((type *)apiary__reserve(sizeof(type)))

static __always_inline void apiary_submit(void *rec)
{
	__u64 waiting = bpf_ringbuf_query(&apiary_events, BPF_RB_AVAIL_DATA);

	bpf_ringbuf_submit(rec, waiting >= apiary_wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/*
 * Copies the first `size` bytes at `rec` into the ring as one record (bpf_ringbuf_output);
 * when the ring is full the record is counted as lost. `size` must be provably within the
 * memory `rec` points to.
 */
static __always_inline void apiary_output(void *rec, __u64 size)
{
	__u64 waiting = bpf_ringbuf_query(&apiary_events, BPF_RB_AVAIL_DATA);

	if (bpf_ringbuf_output(&apiary_events, rec, size,
			       waiting + size >= apiary_wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP))
		apiary_count_lost();
}

/* Gives a reserved record back; the reader skips it. */
static __always_inline void apiary_discard(void *rec)
{
	bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
}

#endif /* APIARY_RINGBUF_H */
