// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Core's own BPF object.
 *
 * 1. Learns every cgroup v2 directory when it is created or removed, so that user space can
 *    name the container of a cgroup id even when the container lived for a few milliseconds
 *    and its cgroup was gone before anyone could look at /sys/fs/cgroup.
 * 2. Holds apiary_watched (apiary/watch.h): core keeps it in sync with the watch scope and
 *    hands its fd to every tracker object that declares the same map.
 *
 * tp_btf programs: they need neither kprobes nor a mounted tracefs, and they see the
 * struct cgroup itself. The kernel builds the path argument only while a probe is attached
 * to the tracepoint, which ours is.
 */
#include "apiary/apiary.h"
#include "apiary/watch.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define CGROUP_EVENT_MKDIR 1
#define CGROUP_EVENT_RMDIR 2

/*
 * Longer than any runtime's container cgroup path seen so far (Kubernetes systemd paths
 * are about 180 bytes). A longer path is cut at its end; path_len == CGROUP_PATH_LEN then.
 */
#define CGROUP_PATH_LEN 512

/*
 * The cgroup v2 (default) hierarchy's id: 0 on every kernel since the default hierarchy
 * exists (cgrp_dfl_root is set up first). Checked on 6.18: the cgroup_mkdir tracepoint
 * says root=0 for /sys/fs/cgroup/unified and root=4 for the v1 memory hierarchy.
 */
#define CGROUP_V2_HIERARCHY_ID 0

struct cgroup_event {
	struct apiary_event_header hdr; /* the task that made or removed the directory */
	__u64 id;                       /* kernfs id = directory inode = bpf_get_current_cgroup_id() inside it */
	__u32 level;                    /* depth below the root: 0 is the root itself */
	__u32 path_len;                 /* bytes of path including the NUL; CGROUP_PATH_LEN: maybe cut */
	char path[CGROUP_PATH_LEN];     /* relative to the cgroup v2 root, starting with '/' */
};
APIARY_EVENT_TYPE(cgroup_event);

static __always_inline int report(struct cgroup *cgrp, const char *path, __u32 type)
{
	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != CGROUP_V2_HIERARCHY_ID)
		return 0; /* a v1 hierarchy of a hybrid system: its ids are not what tasks report */

	struct cgroup_event *e = apiary_reserve(struct cgroup_event);
	if (!e)
		return 0;
	apiary_fill_header(&e->hdr, type);
	e->id = BPF_CORE_READ(cgrp, kn, id);
	e->level = BPF_CORE_READ(cgrp, level);
	e->path_len = apiary_read_kernel_str(e->path, sizeof(e->path), path);
	apiary_submit(e);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(apiary_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return report(cgrp, path, CGROUP_EVENT_MKDIR);
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(apiary_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return report(cgrp, path, CGROUP_EVENT_RMDIR);
}
