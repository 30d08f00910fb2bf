// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The xdp tracker: the programs that the tracker attaches per interface (never by
 * attachAll: it picks the interfaces and the hook).
 *
 * A container's traffic can be seen at two hooks, and the same accounting runs at both:
 *
 *   tc (the default)  tc_host on the host end's tcx ingress (what the container SENDS) and
 *                     tc_inner on its tcx egress (what the container RECEIVES): both in the
 *                     host's network namespace, on the skb the stack already has;
 *   XDP               xdp_host on the host end (what it sends) and xdp_inner on the
 *                     container's own end (eth0) inside its network namespace (what it
 *                     receives): XDP sees only what arrives on an interface.
 *
 * Why tc is the default on veth: generic XDP must hand its program a private copy of every
 * cloned or non-linear skb, and every TCP segment a local socket sends is cloned (TCP keeps
 * the original), so a TCP stream between two containers ran 11-15% slower with even an empty
 * XDP program; native XDP on veth turns off the peer's GSO, 88% slower. A tc program reads
 * the skb in place: no measurable cost (bench/xdp/README.md). XDP stays for whoever asks
 * (--mode generic|native), e.g. on a physical NIC whose driver runs it natively.
 *
 * An attachment is known to the programs as (side, ifindex): host-side interfaces and tc
 * programs are all in the host's namespace, where an ifindex is unique; a container's own
 * end is in its namespace, so the tracker refuses two container ends with the same index.
 *
 * Per packet, for an attachment the tracker registered in xdp_stats:
 *   1. packets and bytes by L3 class (IPv4, IPv6, ARP, other) and L4 class (TCP, UDP,
 *      ICMP/ICMPv6, other) in xdp_stats (per CPU: no atomics);
 *   2. packets and bytes per flow (side, ifindex, protocol, addresses, ports) in xdp_flows,
 *      an LRU per-CPU hash: the least recently seen flows go first when it is full (one
 *      lookup per packet, an update only on a flow's first packet);
 *   3. drop rules (xdp_rules, at most XDP_RULES slots, scanned up to ctl.rule_slots): the
 *      first rule of this attachment that matches counts a hit and drops the packet;
 *   4. while a capture is on (ctl.capture_on), packets matching the capture filter are
 *      sampled into the ring, at most ctl.capture_rate per second per CPU, each with its
 *      first XDP_SNAP bytes.
 * Everything else passes. The tracker changes rules and the capture through xdp_ctl and
 * xdp_rules while the programs run: nothing is reloaded.
 *
 * Each XDP program comes twice, the same code in two sections, and the tracker picks by mode:
 *
 *   xdp_host, xdp_inner        SEC("xdp"), for generic mode;
 *   xdp_host_mb, xdp_inner_mb  SEC("xdp.frags"), for native and auto mode.
 *
 * For a program without frags support generic XDP prepares a packet with one
 * pskb_expand_head + skb_linearize (a single contiguous copy); for an xdp.frags program it
 * rebuilds the skb in page-pool pages (skb_cow_data_for_xdp), which measured 23-34% slower
 * against 13-15%. In native mode on veth, an xdp.frags program is what lets the peer keep an
 * MTU above a page, so the native pair keeps it.
 *
 * Headers are read with direct packet access from the first buffer (all of the packet in
 * generic mode, where the skb is linear; the linear part of an skb for tc); IPv6 extension
 * headers and VLAN tags are not walked (such packets count as "other" L4 / L3).
 */
#include "apiary/apiary.h"
#include <bpf/bpf_endian.h>

#define IPPROTO_ICMPV6_NUM 58

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define XDP_SIDE_HOST 0  /* host side: the container's egress */
#define XDP_SIDE_INNER 1 /* container side: the container's ingress */

/* Classes, the index into xdp_counts.packets/bytes; XdpStats.CLASSES names them in this order. */
#define C_IPV4 0
#define C_IPV6 1
#define C_ARP 2
#define C_L3_OTHER 3
#define C_TCP 4
#define C_UDP 5
#define C_ICMP 6
#define C_L4_OTHER 7
#define XDP_CLASSES 8

#define XDP_RULES 32
#define XDP_SNAP 128 /* bytes of each captured packet */
#define XDP_PACKET 1 /* the ring record type */
#define TC_HEADERS 64 /* what tc_account wants in an skb's linear part: Ethernet, IPv6, ports */

#define ETH_P_IP_BE bpf_htons(0x0800)
#define ETH_P_IPV6_BE bpf_htons(0x86DD)
#define ETH_P_ARP_BE bpf_htons(0x0806)

struct xdp_att_key {
	__u32 ifindex;
	__u32 side;
};

struct xdp_counts {
	__u64 packets[XDP_CLASSES];
	__u64 bytes[XDP_CLASSES];
};

/* Addresses are 16 bytes: IPv6 as is, IPv4 mapped (::ffff:a.b.c.d). */
struct xdp_flow_key {
	__u32 ifindex;
	__u8 side;
	__u8 proto;  /* IP protocol number: 6, 17, 1, 58, ... */
	__u16 sport; /* host byte order; ICMP: type << 8 | code in sport, 0 in dport */
	__u16 dport;
	__u16 family; /* 4 or 6 */
	__u8 saddr[16];
	__u8 daddr[16];
};

/* No last-seen time: reading the clock was a third of the program's cost per packet
 * (BPF_PROG_TEST_RUN, bench/xdp/README.md), and the LRU keeps its own recency for eviction. */
struct xdp_flow_value {
	__u64 packets;
	__u64 bytes;
};

#define RULE_PROTO_ICMP_ANY 255 /* ICMP or ICMPv6 */

/* A drop rule or the capture filter. A zero field matches anything. */
struct xdp_rule {
	__u32 active;
	__u32 host_ifindex;  /* 0: any host-side attachment */
	__u32 inner_ifindex; /* 0: any container-side attachment */
	__u8 any_side;       /* 1: any attachment (a rule of no container) */
	__u8 proto;          /* IP protocol; RULE_PROTO_ICMP_ANY; 0 any */
	__u8 family;         /* 4, 6, or 0 any */
	__u8 has_addr;       /* bit 0: src, bit 1: dst */
	__u16 sport;         /* 0 any */
	__u16 dport;
	__u16 port;          /* either port */
	__u16 unused;
	__u32 src[4];
	__u32 src_mask[4];
	__u32 dst[4];
	__u32 dst_mask[4];
};

struct xdp_ctl {
	__u32 rule_slots;   /* rules are scanned in slots [0, rule_slots) */
	__u32 capture_on;
	__u32 capture_rate; /* samples per second per CPU */
	__u32 unused;
	struct xdp_rule capture; /* which packets a capture takes, and from which attachment */
};

struct xdp_packet {
	struct apiary_event_header hdr;
	__u32 ifindex;
	__u32 side;
	__u32 len;     /* the packet's length on the wire (all buffers) */
	__u32 cap_len; /* bytes in data */
	__u8 data[XDP_SNAP];
};

APIARY_EVENT_TYPE(xdp_packet);
APIARY_EVENT_TYPE(xdp_flow_key);
APIARY_EVENT_TYPE(xdp_flow_value);
APIARY_EVENT_TYPE(xdp_counts);
APIARY_EVENT_TYPE(xdp_rule);
APIARY_EVENT_TYPE(xdp_ctl);
APIARY_EVENT_TYPE(xdp_att_key);

/* Attachments: the tracker makes the entry when it attaches and deletes it when it detaches. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct xdp_att_key);
	__type(value, struct xdp_counts);
} xdp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct xdp_flow_key);
	__type(value, struct xdp_flow_value);
} xdp_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDP_RULES);
	__type(key, __u32);
	__type(value, struct xdp_rule);
} xdp_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_RULES);
	__type(key, __u32);
	__type(value, __u64);
} xdp_rule_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdp_ctl);
} xdp_ctl SEC(".maps");

/* Per CPU: the start of the current one-second capture window and the samples taken in it. */
struct xdp_rate {
	__u64 window_ns;
	__u64 taken;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdp_rate);
} xdp_capture_rate SEC(".maps");

/* What the parser found in a packet. */
struct xdp_parsed {
	struct xdp_flow_key flow; /* ifindex, side, proto, ports, family, addresses */
	__u32 l3;
	__u32 l4;
	__u32 hdr_len; /* bytes before the L4 payload (TCP, UDP), 0 when not known */
};

static __always_inline void map_v4(__u8 *dst, __be32 addr)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &addr, 4);
}

/* Reads the headers in [data, end): an XDP buffer's first part, or an skb's linear part. */
static __always_inline void parse(void *data, void *end, struct xdp_parsed *p)
{
	struct ethhdr *eth = data;
	void *l4 = 0;

	p->l3 = C_L3_OTHER;
	p->l4 = C_L4_OTHER;
	if ((void *)(eth + 1) > end)
		return;
	if (eth->h_proto == ETH_P_ARP_BE) {
		p->l3 = C_ARP;
		return;
	}
	if (eth->h_proto == ETH_P_IP_BE) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end)
			return;
		p->l3 = C_IPV4;
		p->flow.family = 4;
		p->flow.proto = ip->protocol;
		map_v4(p->flow.saddr, ip->saddr);
		map_v4(p->flow.daddr, ip->daddr);
		/* A fragment after the first has no L4 header. */
		if (ip->frag_off & bpf_htons(0x1fff))
			return;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == ETH_P_IPV6_BE) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return;
		p->l3 = C_IPV6;
		p->flow.family = 6;
		p->flow.proto = ip6->nexthdr;
		__builtin_memcpy(p->flow.saddr, &ip6->saddr, 16);
		__builtin_memcpy(p->flow.daddr, &ip6->daddr, 16);
		l4 = ip6 + 1;
	} else {
		return;
	}
	switch (p->flow.proto) {
	case IPPROTO_TCP: {
		struct tcphdr *tcp = l4;

		p->l4 = C_TCP;
		if ((void *)(tcp + 1) <= end) {
			p->flow.sport = bpf_ntohs(tcp->source);
			p->flow.dport = bpf_ntohs(tcp->dest);
			p->hdr_len = (__u32)(l4 - data) + tcp->doff * 4;
		}
		break;
	}
	case IPPROTO_UDP: {
		struct udphdr *udp = l4;

		p->l4 = C_UDP;
		if ((void *)(udp + 1) <= end) {
			p->flow.sport = bpf_ntohs(udp->source);
			p->flow.dport = bpf_ntohs(udp->dest);
			p->hdr_len = (__u32)(l4 - data) + sizeof(*udp);
		}
		break;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6_NUM: {
		__u8 *icmp = l4;

		p->l4 = C_ICMP;
		if ((void *)(icmp + 2) <= end)
			p->flow.sport = (__u16)icmp[0] << 8 | icmp[1];
		break;
	}
	}
}

static __always_inline bool addr_match(const __u8 *addr, const __u32 *want, const __u32 *mask)
{
	__u32 a[4];

	__builtin_memcpy(a, addr, 16);
	return ((a[0] & mask[0]) == want[0]) && ((a[1] & mask[1]) == want[1]) && ((a[2] & mask[2]) == want[2])
	       && ((a[3] & mask[3]) == want[3]);
}

static __always_inline bool rule_match(const struct xdp_rule *r, const struct xdp_parsed *p)
{
	const struct xdp_flow_key *f = &p->flow;

	if (!r->active)
		return false;
	if (!r->any_side) {
		__u32 want = f->side == XDP_SIDE_HOST ? r->host_ifindex : r->inner_ifindex;

		if (want == 0 || want != f->ifindex)
			return false;
	}
	if (r->family && r->family != f->family)
		return false;
	if (r->proto == RULE_PROTO_ICMP_ANY) {
		if (p->l4 != C_ICMP)
			return false;
	} else if (r->proto && r->proto != f->proto) {
		return false;
	}
	if (r->sport && (p->l4 == C_ICMP || r->sport != f->sport))
		return false;
	if (r->dport && (p->l4 == C_ICMP || r->dport != f->dport))
		return false;
	if (r->port && (p->l4 == C_ICMP || (r->port != f->sport && r->port != f->dport)))
		return false;
	if ((r->has_addr & 1) && (f->family == 0 || !addr_match(f->saddr, r->src, r->src_mask)))
		return false;
	if ((r->has_addr & 2) && (f->family == 0 || !addr_match(f->daddr, r->dst, r->dst_mask)))
		return false;
	return true;
}

static __always_inline bool capture_allowed(__u32 rate)
{
	__u32 zero = 0;
	struct xdp_rate *r = bpf_map_lookup_elem(&xdp_capture_rate, &zero);
	__u64 now = bpf_ktime_get_boot_ns();

	if (!r)
		return false;
	if (now - r->window_ns >= 1000000000ULL) {
		r->window_ns = now;
		r->taken = 0;
	}
	if (r->taken >= rate)
		return false;
	r->taken++;
	return true;
}

/*
 * A ring record for this packet when a capture is on and takes it, with everything but the
 * packet's bytes filled in (copying those is the caller's: XDP and TC read them differently);
 * NULL otherwise.
 */
static __always_inline struct xdp_packet *capture_record(const struct xdp_ctl *ctl, const struct xdp_parsed *p, __u32 len)
{
	struct xdp_packet *rec;

	if (!ctl->capture_on || !rule_match(&ctl->capture, p) || !capture_allowed(ctl->capture_rate))
		return 0;
	rec = apiary_reserve(struct xdp_packet);
	if (!rec)
		return 0;
	__builtin_memset(&rec->hdr, 0, sizeof(rec->hdr));
	rec->hdr.ts_ns = bpf_ktime_get_boot_ns();
	rec->hdr.type = XDP_PACKET;
	rec->hdr.cpu = bpf_get_smp_processor_id();
	rec->ifindex = p->flow.ifindex;
	rec->side = p->flow.side;
	rec->len = len;
	rec->cap_len = 0;
	return rec;
}

/* How many bytes of a packet of len bytes a capture record takes: 1 to XDP_SNAP. */
static __always_inline __u32 snap_len(__u32 len)
{
	return len > XDP_SNAP ? XDP_SNAP : len;
}

/* Counts a packet (or, for a GSO skb, segs packets of it) on its attachment and its flow. */
static __always_inline void count(struct xdp_counts *counts, struct xdp_parsed *p, __u32 segs, __u64 bytes)
{
	struct xdp_flow_value *fv;

	counts->packets[p->l3 & 7] += segs;
	counts->bytes[p->l3 & 7] += bytes;
	if (p->l3 != C_IPV4 && p->l3 != C_IPV6)
		return;
	counts->packets[p->l4 & 7] += segs;
	counts->bytes[p->l4 & 7] += bytes;
	fv = bpf_map_lookup_elem(&xdp_flows, &p->flow);
	if (fv) {
		fv->packets += segs;
		fv->bytes += bytes;
	} else {
		struct xdp_flow_value first = {.packets = segs, .bytes = bytes};

		bpf_map_update_elem(&xdp_flows, &p->flow, &first, BPF_NOEXIST);
	}
}

/* What one step of the rule walk reads and says: the packet, how many slots are in use, the verdict. */
struct rule_walk {
	const struct xdp_parsed *p;
	__u32 slots;
	bool dropped;
};

/* One rule of the walk; stops at the first that matches (counting its hit) or at the last slot in use. */
static long rule_step(__u32 i, void *data)
{
	struct rule_walk *w = data;
	struct xdp_rule *r;
	__u64 *hits;

	if (i >= w->slots)
		return 1;
	r = bpf_map_lookup_elem(&xdp_rules, &i);
	if (!r || !rule_match(r, w->p))
		return 0;
	hits = bpf_map_lookup_elem(&xdp_rule_hits, &i);
	if (hits)
		*hits += 1;
	w->dropped = true;
	return 1;
}

/*
 * Whether a drop rule takes the packet; counts the first matching rule's hit. A bpf_loop, not a
 * bounded for loop: the verifier checks one step once instead of every one of XDP_RULES
 * unrolled with rule_match's branches (about 10 s of verification for the six programs).
 */
static __always_inline bool dropped(const struct xdp_ctl *ctl, const struct xdp_parsed *p)
{
	struct rule_walk w = {.p = p, .slots = ctl->rule_slots, .dropped = false};

	if (w.slots == 0)
		return false; /* no rules: not even the loop's call */
	bpf_loop(XDP_RULES, rule_step, &w, 0);
	return w.dropped;
}

/*
 * What follows parsing, the same at both hooks: counts the packet (segs of them, bytes on the
 * wire); then, by the control record, reserves a capture record for it in *rec when a capture
 * takes it (the caller copies the packet's bytes in and submits it: XDP and TC read them
 * differently) and says whether a drop rule takes it.
 */
static __always_inline bool account(struct xdp_counts *counts, struct xdp_parsed *p, __u32 segs, __u64 bytes, __u32 len,
				    struct xdp_packet **rec)
{
	__u32 zero = 0;
	struct xdp_ctl *ctl;

	*rec = 0;
	count(counts, p, segs, bytes);
	ctl = bpf_map_lookup_elem(&xdp_ctl, &zero);
	if (!ctl)
		return false;
	*rec = capture_record(ctl, p, len);
	return dropped(ctl, p);
}

static __always_inline int xdp_account(struct xdp_md *ctx, __u32 side)
{
	struct xdp_att_key att = {.ifindex = ctx->ingress_ifindex, .side = side};
	struct xdp_counts *counts = bpf_map_lookup_elem(&xdp_stats, &att);
	struct xdp_parsed p = {};
	struct xdp_packet *rec;
	bool drop;
	__u32 len;

	if (!counts)
		return XDP_PASS; /* not (or no longer) an attachment of the tracker */
	len = bpf_xdp_get_buff_len(ctx);
	p.flow.ifindex = att.ifindex;
	p.flow.side = side;
	parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, &p);
	drop = account(counts, &p, 1, len, len, &rec);
	if (rec) {
		__u32 cap = snap_len(len);

		if (cap >= 1 && bpf_xdp_load_bytes(ctx, 0, rec->data, cap) == 0)
			rec->cap_len = cap;
		apiary_submit(rec);
	}
	return drop ? XDP_DROP : XDP_PASS;
}

/*
 * An skb's packet pointers, read afresh (bpf_skb_pull_data moves them). Written as the one
 * load instruction each must be: left to itself, clang keeps &skb->data in a register and
 * loads through it, which the verifier refuses ("dereference of modified ctx ptr").
 */
static __always_inline void *skb_data(struct __sk_buff *skb)
{
	void *p;

	asm volatile("%0 = *(u32 *)(%1 + %2)" : "=r"(p) : "r"(skb), "i"(__builtin_offsetof(struct __sk_buff, data)));
	return p;
}

static __always_inline void *skb_data_end(struct __sk_buff *skb)
{
	void *p;

	asm volatile("%0 = *(u32 *)(%1 + %2)" : "=r"(p) : "r"(skb), "i"(__builtin_offsetof(struct __sk_buff, data_end)));
	return p;
}

/* Bytes in the skb's linear part. */
static __always_inline __u32 skb_linear(struct __sk_buff *skb)
{
	return (__u32)((long)skb_data_end(skb) - (long)skb_data(skb));
}

/*
 * The same for a TC program (tcx): the skb's linear part holds the headers on veth, and the
 * program asks for them to be pulled in only when it does not. A GSO skb is counted as the
 * segments it goes out as, each with its own headers. Returns TCX_NEXT rather than TCX_PASS
 * so that programs attached after this one still run.
 */
static __always_inline int tc_account(struct __sk_buff *skb, __u32 side)
{
	struct xdp_att_key att = {.ifindex = skb->ifindex, .side = side};
	struct xdp_counts *counts = bpf_map_lookup_elem(&xdp_stats, &att);
	struct xdp_parsed p = {};
	struct xdp_packet *rec;
	__u32 len = skb->len;
	__u32 segs = skb->gso_segs;
	__u32 linear;
	__u64 bytes = len;
	bool drop;

	if (!counts)
		return TCX_NEXT;
	linear = skb_linear(skb);
	if (linear < TC_HEADERS && len > linear)
		bpf_skb_pull_data(skb, len < TC_HEADERS ? len : TC_HEADERS);
	p.flow.ifindex = att.ifindex;
	p.flow.side = side;
	parse(skb_data(skb), skb_data_end(skb), &p);
	if (segs > 1 && p.hdr_len)
		bytes += (__u64)(segs - 1) * p.hdr_len;
	else
		segs = 1;
	drop = account(counts, &p, segs, bytes, len, &rec);
	if (rec) {
		__u32 cap = snap_len(len);

		if (cap >= 1 && bpf_skb_load_bytes(skb, 0, rec->data, cap) == 0)
			rec->cap_len = cap;
		apiary_submit(rec);
	}
	return drop ? TCX_DROP : TCX_NEXT;
}

SEC("xdp")
int xdp_host(struct xdp_md *ctx)
{
	return xdp_account(ctx, XDP_SIDE_HOST);
}

SEC("xdp")
int xdp_inner(struct xdp_md *ctx)
{
	return xdp_account(ctx, XDP_SIDE_INNER);
}

SEC("xdp.frags")
int xdp_host_mb(struct xdp_md *ctx)
{
	return xdp_account(ctx, XDP_SIDE_HOST);
}

SEC("xdp.frags")
int xdp_inner_mb(struct xdp_md *ctx)
{
	return xdp_account(ctx, XDP_SIDE_INNER);
}

/* On the host end's tcx ingress: what the container sends. */
SEC("tc")
int tc_host(struct __sk_buff *skb)
{
	return tc_account(skb, XDP_SIDE_HOST);
}

/* On the host end's tcx egress: what the container receives. */
SEC("tc")
int tc_inner(struct __sk_buff *skb)
{
	return tc_account(skb, XDP_SIDE_INNER);
}
