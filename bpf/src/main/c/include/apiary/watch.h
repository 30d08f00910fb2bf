/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which tasks Apiary watches, by mount namespace, so that trackers can filter in the kernel.
 *
 * Core owns the one apiary_watched map and hands its fd to every object that declares it
 * (bpf_map__reuse_fd before load), so all trackers follow the same scope and core changes
 * it while they run. An entry for a namespace inode decides for that namespace (1 watched,
 * 0 not); namespaces without an entry follow the mode keys:
 *   APIARY_WATCH_ALL        present: everything, the host included
 *   APIARY_WATCH_CONTAINERS present: every namespace without an entry (core enters the
 *                           host's as 0)
 *   neither:                only namespaces entered as 1
 * A map that was not reused (an object loaded outside Apiary) is empty: nothing is watched
 * unless the loader enters a mode key.
 */
#ifndef APIARY_WATCH_H
#define APIARY_WATCH_H

#define APIARY_WATCH_ALL 0
#define APIARY_WATCH_CONTAINERS 1

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} apiary_watched SEC(".maps");

/* Whether events of tasks in this mount namespace should be recorded. */
/*
 * Set by core when the tracker stops, before its links are closed: closing a tracing link
 * waits in the kernel for a grace period (about 1 s for a tracker's worth), and from this
 * store on the programs do nothing, so core closes them in the background and a new version
 * starts at once. In a data section of its own, so that user space writes it alone.
 */
volatile __u32 apiary_paused SEC(".data.apiary_paused") = 0;

static __always_inline bool apiary_watching_mnt_ns(__u32 mnt_ns)
{
	__u32 key = mnt_ns;
	__u8 *decision;

	if (apiary_paused)
		return false;
	decision = bpf_map_lookup_elem(&apiary_watched, &key);

	if (decision)
		return *decision;
	key = APIARY_WATCH_ALL;
	if (bpf_map_lookup_elem(&apiary_watched, &key))
		return true;
	key = APIARY_WATCH_CONTAINERS;
	return bpf_map_lookup_elem(&apiary_watched, &key) != NULL;
}

/* Whether the current task is watched. */
static __always_inline bool apiary_watching(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return apiary_watching_mnt_ns(BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum));
}

#endif /* APIARY_WATCH_H */
