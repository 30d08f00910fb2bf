/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading strings and paths without trusting them: every read is bounded by the
 * destination's size, an unreadable pointer gives an empty string, and the caller learns
 * when a string was cut so that it can say so to the user.
 */
#ifndef APIARY_STRINGS_H
#define APIARY_STRINGS_H

/*
 * Copies a NUL-terminated string from user memory (a syscall argument) into dst.
 * Returns its length including the NUL, or 0 when the pointer was unreadable (dst is then
 * ""). A result equal to size means the string filled dst and may have been cut.
 */
static __always_inline __u32 apiary_read_user_str(char *dst, __u32 size, const void *src)
{
	long n = bpf_probe_read_user_str(dst, size, src);

	if (n <= 0) {
		dst[0] = '\0';
		return 0;
	}
	return (__u32)n;
}

/* The same for kernel memory (a dentry name, a task's comm). */
static __always_inline __u32 apiary_read_kernel_str(char *dst, __u32 size, const void *src)
{
	long n = bpf_probe_read_kernel_str(dst, size, src);

	if (n <= 0) {
		dst[0] = '\0';
		return 0;
	}
	return (__u32)n;
}

#define APIARY_STR_MAYBE_CUT(len, size) ((len) >= (size))

/* Path building: components are written right to left into a per-CPU scratch buffer. */
#define APIARY_PATH_SCRATCH 4096 /* power of two */
#define APIARY_PATH_DEPTH 32     /* components walked, mount crossings included */
#define APIARY_NAME_MAX 255

struct apiary_path_scratch {
	char buf[2 * APIARY_PATH_SCRATCH]; /* twice the size, so masked offsets + lengths stay inside */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct apiary_path_scratch);
} apiary_path_scratch SEC(".maps");

struct apiary__path_walk {
	struct apiary_path_scratch *s;
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 pos; /* the path grows leftwards from APIARY_PATH_SCRATCH */
};

/* One step up the tree: a name written, or a mount point crossed. 1 ends the walk. */
static long apiary__path_step(__u64 index, void *ctx)
{
	struct apiary__path_walk *w = ctx;
	/* Locals, not w->x, inside BPF_CORE_READ: it would relocate our own struct's fields. */
	struct dentry *dentry = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);

	if (dentry == mnt_root || dentry == parent) {
		struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);

		if (mnt == mnt_parent)
			return 1; /* the root of the mount tree */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mnt_parent;
		w->vfsmnt = (struct vfsmount *)((void *)mnt_parent + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}

	struct qstr name = BPF_CORE_READ(dentry, d_name);
	__u32 n = name.len & APIARY_NAME_MAX;
	__u32 pos = w->pos;

	if (n + 1 > pos || pos > APIARY_PATH_SCRATCH)
		return 1; /* no room left: keep what we have, the leaf end */
	pos -= n;
	bpf_probe_read_kernel(&w->s->buf[pos & (APIARY_PATH_SCRATCH - 1)], n, name.name);
	pos -= 1;
	w->s->buf[pos & (APIARY_PATH_SCRATCH - 1)] = '/';
	w->pos = pos;
	w->dentry = parent;
	return 0;
}

/*
 * Writes the absolute path of `path` (a struct path in kernel memory, e.g. &file->f_path)
 * into dst as "/a/b/c", crossing mount points up to the root of the mount tree. Paths of
 * more than APIARY_PATH_DEPTH components, or longer than dst, keep their last part.
 * Returns the string's length including the NUL (0 when nothing could be read); a return
 * of dst_size means the path was cut to fit dst. Needs bpf_loop (Linux 5.17).
 */
static __always_inline __u32 apiary_read_path(char *dst, __u32 dst_size, const struct path *path)
{
	__u32 zero = 0;
	struct apiary__path_walk w = {};
	__u32 len, pos;
	bool cut;

	w.s = bpf_map_lookup_elem(&apiary_path_scratch, &zero);
	if (!w.s) {
		dst[0] = '\0';
		return 0;
	}
	w.dentry = BPF_CORE_READ(path, dentry);
	w.vfsmnt = BPF_CORE_READ(path, mnt);
	w.mnt = (struct mount *)((void *)w.vfsmnt - bpf_core_field_offset(struct mount, mnt));
	w.pos = APIARY_PATH_SCRATCH;
	w.s->buf[APIARY_PATH_SCRATCH] = '\0';
	bpf_loop(APIARY_PATH_DEPTH, apiary__path_step, &w, 0);

	pos = w.pos;
	if (pos >= APIARY_PATH_SCRATCH) { /* nothing written: the root itself */
		pos = APIARY_PATH_SCRATCH - 1;
		w.s->buf[pos] = '/';
	}
	len = APIARY_PATH_SCRATCH - pos;
	cut = len >= dst_size;
	if (cut)
		pos = APIARY_PATH_SCRATCH - (dst_size - 1); /* keep the leaf end */
	/* The scratch holds a NUL at APIARY_PATH_SCRATCH, so a string copy ends the path there. */
	long n = bpf_probe_read_kernel_str(dst, dst_size, &w.s->buf[pos & (APIARY_PATH_SCRATCH - 1)]);
	if (n <= 0) {
		dst[0] = '\0';
		return 0;
	}
	return cut ? dst_size : (__u32)n;
}

#endif /* APIARY_STRINGS_H */
