// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The baseline for bench/xdp/run --with pass|pass-frags: an XDP program that does nothing.
 * Attached where the tracker's would be, it shows what the kernel's own XDP hook costs (in
 * generic mode: the copy of every cloned or non-linear skb), apart from any program work.
 * Built by the bench script with clang; SECNAME is "xdp" or "xdp.frags" (the section of
 * xdp_pass; tc_pass is always "tc").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC(SECNAME)
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* --with tc-pass: the same places, hooked by TC (clsact ingress) instead of XDP. */
SEC("tc")
int tc_pass(struct __sk_buff *skb)
{
	return 0; /* TC_ACT_OK */
}
