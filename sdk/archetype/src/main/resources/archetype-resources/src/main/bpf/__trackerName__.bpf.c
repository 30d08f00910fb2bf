#set( $H = '#' )
#set( $U = $trackerName.toUpperCase() )
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The ${trackerName} tracker's kernel side: one record per openat(2) of a watched task, with
 * the path as the caller passed it and the open flags.
 *
 * Its Java twin is ${trackerClass}Decoder: the decoder checks its layout against this
 * object's BTF when the tracker loads, so change both together.
 */
${H}include "apiary/apiary.h" /* vmlinux.h, libbpf's helpers, the event header, the ring buffer */
${H}include "apiary/watch.h"  /* apiary_watching(): the containers Apiary watches */

char LICENSE[] SEC("license") = "Dual BSD/GPL";

${H}define ${U}_EVENT_OPEN 1  /* apiary_event_header.type of an open record */
${H}define ${U}_PATH_LEN 256  /* bytes of path kept; a longer path keeps its beginning */

struct ${trackerName}_event {
	struct apiary_event_header hdr;
	__s32 flags;    /* the open flags as passed: O_WRONLY, O_CREAT, ... */
	__u32 path_len; /* bytes read into path, its NUL included; 0 when unreadable */
	char path[${U}_PATH_LEN];
};
APIARY_EVENT_TYPE(${trackerName}_event); /* puts the struct into the object's BTF */

/*
 * Only opens whose flags hold every one of these bits are sent; 0 sends every open.
 * const volatile: a read-only global the tracker sets before load, so the verifier
 * sees it as a constant and drops the branch that cannot be taken.
 */
const volatile __u32 ${trackerName}_flags_mask = 0;

SEC("tracepoint/syscalls/sys_enter_openat")
int ${trackerName}_openat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 flags = (__u32)ctx->args[2];
	struct ${trackerName}_event *e;

	/* First thing: tasks of containers nobody watches cost nothing more. */
	if (!apiary_watching())
		return 0;
	if ((flags & ${trackerName}_flags_mask) != ${trackerName}_flags_mask)
		return 0;
	e = apiary_reserve(struct ${trackerName}_event);
	if (!e)
		return 0; /* the ring is full: counted as lost, shown by apiary:stats */
	apiary_fill_header(&e->hdr, ${U}_EVENT_OPEN);
	e->flags = flags;
	e->path_len = apiary_read_user_str(e->path, ${U}_PATH_LEN, (const char *)ctx->args[1]);
	apiary_submit(e);
	return 0;
}
