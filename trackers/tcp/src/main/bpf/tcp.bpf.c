// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The tcp tracker: connects, accepts, listening sockets, closes and (when tcp_state_changes
 * is set) every other state change of the TCP sockets of watched processes, IPv4 and IPv6,
 * each attributed to the process that owns the socket.
 *
 * Why an owner map: most TCP state changes happen in softirq context (a SYN-ACK or a FIN
 * arriving), where the current task is whatever the CPU happened to run. So the identity of
 * a socket's process is recorded once, where the kernel is in that process's context, in
 * tcp_owners keyed by the struct sock's address, and every later record of that socket
 * carries it (header and container) instead of the current task's:
 *
 *   CLOSE -> SYN_SENT       connect(), in the connecting task (tcp_v4/v6_connect)
 *   CLOSE -> LISTEN         listen(), in the listening task; also entered in tcp_listeners
 *                           by (net namespace, port)
 *   -> SYN_RECV/ESTABLISHED a passive connection completes its handshake (softirq): it
 *                           takes the owner of the listener on its port until accepted
 *   sys_exit_accept(4)      accept() returned the socket in the accepting task: that task
 *                           becomes the owner
 *   -> CLOSE                the last record; the entry is dropped
 *
 * Container filtering (apiary_watching) uses the owner's mount namespace, never softirq's
 * current task. Sockets whose owner was never seen (opened before the tracker started, or by
 * an unwatched process) produce no records.
 *
 * The source port of a connect is chosen after the SYN_SENT transition, so the connect record
 * is sent when its outcome is known: SYN_SENT -> ESTABLISHED (connected; its age is the
 * handshake's latency) or SYN_SENT -> CLOSE (failed, with the socket's error).
 */
#include "apiary/apiary.h"
#include "apiary/watch.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* tcp_event.hdr.type */
#define TCP_EVENT_CONNECT 1 /* an outbound connect's outcome: connected, or failed with error */
#define TCP_EVENT_ACCEPT 2  /* accept() returned this connection to the process */
#define TCP_EVENT_LISTEN 3  /* a socket started listening */
#define TCP_EVENT_CLOSE 4   /* the socket reached CLOSE: its last record, with bytes and lifetime */
#define TCP_EVENT_STATE 5   /* any other state change; only with tcp_state_changes */

#define AF_INET_ 2
#define AF_INET6_ 10
#define IPPROTO_TCP_ 6

/* include/net/tcp_states.h (an enum in BTF, but short names keep this readable) */
#define TCP_ESTABLISHED_ 1
#define TCP_SYN_SENT_ 2
#define TCP_SYN_RECV_ 3
#define TCP_CLOSE_ 7
#define TCP_LISTEN_ 10

/* Where a socket connects: the local and remote address and port. */
struct tcp_endpoints {
	__u8 saddr[16]; /* local address: 4 bytes for IPv4, 16 for IPv6 */
	__u8 daddr[16]; /* remote address */
	__u16 sport;    /* local port, host order */
	__u16 dport;    /* remote port, host order */
	__u16 family;   /* AF_INET or AF_INET6 */
	__u16 unused;
};

/* Who owns a socket, and since when. */
struct tcp_owner {
	struct apiary_event_header hdr; /* the owning task as it was when it became the owner */
	__u64 birth_ns;                 /* connect() called, handshake done (passive), or listen() */
	__u64 conn_id;                  /* this tracker's id for the connection, unique while loaded */
	/*
	 * The endpoints last seen with a local port: the kernel may release the port before
	 * the CLOSE transition is traced, and the close record should still say which
	 * connection closed.
	 */
	struct tcp_endpoints last;
};

struct tcp_event {
	struct apiary_event_header hdr; /* the owner's identity; ts, type and cpu are this record's */
	__u64 conn_id;
	__u64 birth_ns;
	__u64 bytes_acked;    /* bytes sent and acknowledged by the peer (tcp_sock.bytes_acked) */
	__u64 bytes_received; /* bytes received in sequence (tcp_sock.bytes_received) */
	struct tcp_endpoints ep;
	__u8 old_state;
	__u8 new_state;
	__u16 unused;
	__s32 error;          /* the socket's pending error (ECONNREFUSED, ETIMEDOUT...) for a failed connect, else 0 */
};
APIARY_EVENT_TYPE(tcp_event);

/*
 * Socket -> owner. Entries are dropped at CLOSE; LRU so that a socket whose CLOSE was missed
 * (the tracker attached mid-way) cannot fill it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcp_owner);
} tcp_owners SEC(".maps");

struct tcp_listener_key {
	__u32 net_ns;
	__u16 port;
	__u16 unused;
};

/* Listening sockets by (net namespace inode, port) -> owner: whom a new passive connection belongs to. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct tcp_listener_key);
	__type(value, struct tcp_owner);
} tcp_listeners SEC(".maps");

/* Per-CPU room to build an owner (too large to copy around on the stack twice). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcp_owner);
} tcp_owner_scratch SEC(".maps");

__u64 tcp_next_conn_id = 0;

/*
 * Set by the loader before load (the tracker's state_changes setting): send TCP_EVENT_STATE
 * records too. When false (the default) only connect, accept, listen and close are sent; the
 * owner entries still follow every transition (their endpoints included).
 */
const volatile bool tcp_state_changes = false;

static __always_inline __u32 sock_net_ns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

static __always_inline bool is_tcp(const struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	return BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP_ && (family == AF_INET_ || family == AF_INET6_);
}

/* Reads the socket's endpoints. */
static __always_inline void read_endpoints(const struct sock *sk, struct tcp_endpoints *ep)
{
	__builtin_memset(ep, 0, sizeof(*ep));
	ep->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ep->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	ep->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (ep->family == AF_INET6_) {
		bpf_core_read(ep->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(ep->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		bpf_core_read(ep->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(ep->daddr, 4, &sk->__sk_common.skc_daddr);
	}
}

/*
 * Sends one record about sk on behalf of its owner (a map value: the endpoints it remembers
 * are updated).
 */
static __always_inline void emit(const struct sock *sk, struct tcp_owner *owner, __u32 type, int old_state,
				 int new_state, int error)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	struct tcp_event *e;

	if (type == TCP_EVENT_STATE && !tcp_state_changes) {
		/* Not sent; the endpoints are still remembered for the close record. */
		struct tcp_endpoints ep;

		read_endpoints(sk, &ep);
		if (ep.sport != 0)
			owner->last = ep;
		return;
	}
	e = apiary_reserve(struct tcp_event);
	if (!e)
		return;
	e->hdr = owner->hdr;
	e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	e->hdr.type = type;
	e->hdr.cpu = bpf_get_smp_processor_id();
	e->conn_id = owner->conn_id;
	e->birth_ns = owner->birth_ns;
	e->bytes_acked = BPF_CORE_READ(tp, bytes_acked);
	e->bytes_received = BPF_CORE_READ(tp, bytes_received);
	read_endpoints(sk, &e->ep);
	if (e->ep.sport != 0)
		owner->last = e->ep;
	else if (owner->last.sport != 0 && new_state == TCP_CLOSE_)
		e->ep = owner->last; /* the port is already released */
	e->old_state = old_state;
	e->new_state = new_state;
	e->unused = 0;
	e->error = error;
	apiary_submit(e);
}

/* The current task as a new owner, in the per-CPU scratch; NULL only if the scratch is missing. */
static __always_inline struct tcp_owner *current_owner(void)
{
	__u32 zero = 0;
	struct tcp_owner *o = bpf_map_lookup_elem(&tcp_owner_scratch, &zero);

	if (!o)
		return NULL;
	apiary_fill_header(&o->hdr, 0);
	o->birth_ns = o->hdr.ts_ns;
	o->conn_id = __sync_fetch_and_add(&tcp_next_conn_id, 1) + 1;
	return o;
}

/*
 * connect() or listen(): in the calling task's context. Records it as the owner (or forgets
 * a stale entry at that address when the task is not watched).
 */
static __always_inline void own_by_current(const struct sock *sk, __u64 key, int old_state, int new_state)
{
	struct tcp_owner *o;

	if (!apiary_watching()) {
		bpf_map_delete_elem(&tcp_owners, &key);
		return;
	}
	o = current_owner();
	if (!o)
		return;
	__builtin_memset(&o->last, 0, sizeof(o->last));
	bpf_map_update_elem(&tcp_owners, &key, o, BPF_ANY);
	o = bpf_map_lookup_elem(&tcp_owners, &key);
	if (!o)
		return;
	if (new_state == TCP_LISTEN_) {
		struct tcp_listener_key lk = {.net_ns = sock_net_ns(sk), .port = BPF_CORE_READ(sk, __sk_common.skc_num)};

		emit(sk, o, TCP_EVENT_LISTEN, old_state, new_state, 0);
		bpf_map_update_elem(&tcp_listeners, &lk, o, BPF_ANY);
	} else {
		emit(sk, o, TCP_EVENT_STATE, old_state, new_state, 0);
	}
}

/*
 * A passive connection appeared (softirq): it belongs to whoever listens on its port in its
 * network namespace, until accept() hands it to a task. NULL when nobody watched listens there.
 */
static __always_inline struct tcp_owner *own_by_listener(const struct sock *sk, __u64 key)
{
	struct tcp_listener_key lk = {.net_ns = sock_net_ns(sk), .port = BPF_CORE_READ(sk, __sk_common.skc_num)};
	struct tcp_owner *listener = bpf_map_lookup_elem(&tcp_listeners, &lk);
	__u32 zero = 0;
	struct tcp_owner *o;

	if (!listener || !apiary_watching_mnt_ns(listener->hdr.mnt_ns))
		return NULL;
	o = bpf_map_lookup_elem(&tcp_owner_scratch, &zero);
	if (!o)
		return NULL;
	o->hdr = listener->hdr;
	__builtin_memset(&o->last, 0, sizeof(o->last));
	o->birth_ns = bpf_ktime_get_boot_ns();
	o->conn_id = __sync_fetch_and_add(&tcp_next_conn_id, 1) + 1;
	bpf_map_update_elem(&tcp_owners, &key, o, BPF_ANY);
	return bpf_map_lookup_elem(&tcp_owners, &key);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcp_set_state, const struct sock *sk, const int old_state, const int new_state)
{
	__u64 key = (__u64)sk;
	struct tcp_owner *o;

	if (!is_tcp(sk))
		return 0;
	if (new_state == TCP_SYN_SENT_ || new_state == TCP_LISTEN_) {
		own_by_current(sk, key, old_state, new_state);
		return 0;
	}
	o = bpf_map_lookup_elem(&tcp_owners, &key);
	if (!o && (new_state == TCP_SYN_RECV_ || new_state == TCP_ESTABLISHED_) && old_state != TCP_SYN_SENT_)
		o = own_by_listener(sk, key);
	if (!o)
		return 0;
	if (!apiary_watching_mnt_ns(o->hdr.mnt_ns)) {
		if (new_state == TCP_CLOSE_)
			bpf_map_delete_elem(&tcp_owners, &key);
		return 0;
	}

	if (old_state == TCP_SYN_SENT_ && new_state == TCP_ESTABLISHED_) {
		emit(sk, o, TCP_EVENT_CONNECT, old_state, new_state, 0);
		return 0;
	}
	if (old_state == TCP_SYN_SENT_ && new_state == TCP_CLOSE_)
		emit(sk, o, TCP_EVENT_CONNECT, old_state, new_state, BPF_CORE_READ(sk, sk_err));
	if (new_state != TCP_CLOSE_) {
		emit(sk, o, TCP_EVENT_STATE, old_state, new_state, 0);
		return 0;
	}
	emit(sk, o, TCP_EVENT_CLOSE, old_state, new_state, 0);
	if (old_state == TCP_LISTEN_) {
		struct tcp_listener_key lk = {.net_ns = sock_net_ns(sk), .port = o->last.sport};
		struct tcp_owner *l = bpf_map_lookup_elem(&tcp_listeners, &lk);

		/* Only this listener's entry: another socket may listen on the port now (SO_REUSEPORT). */
		if (l && l->conn_id == o->conn_id)
			bpf_map_delete_elem(&tcp_listeners, &lk);
	}
	bpf_map_delete_elem(&tcp_owners, &key);
	return 0;
}

/* The struct sock behind the current task's file descriptor fd, or NULL. */
static __always_inline struct sock *sock_of_fd(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *file = NULL;
	struct socket *sock;

	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

/*
 * accept() returned fd, in the accepting task: it owns the connection from now on (the
 * listener's owner held it since the handshake; a pre-forked worker or another thread may
 * be the one that accepts).
 */
static __always_inline int accepted(long ret)
{
	struct tcp_owner *o, *known;
	struct sock *sk;
	__u64 key;

	if (ret < 0 || !apiary_watching())
		return 0;
	sk = sock_of_fd((int)ret);
	if (!sk || !is_tcp(sk))
		return 0;
	key = (__u64)sk;
	o = current_owner();
	if (!o)
		return 0;
	__builtin_memset(&o->last, 0, sizeof(o->last));
	known = bpf_map_lookup_elem(&tcp_owners, &key);
	if (known) {
		/* The same connection: keep its id and birth (the handshake's end). */
		o->conn_id = known->conn_id;
		o->birth_ns = known->birth_ns;
	}
	bpf_map_update_elem(&tcp_owners, &key, o, BPF_ANY);
	o = bpf_map_lookup_elem(&tcp_owners, &key);
	if (!o)
		return 0;
	emit(sk, o, TCP_EVENT_ACCEPT, BPF_CORE_READ(sk, __sk_common.skc_state), BPF_CORE_READ(sk, __sk_common.skc_state), 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int tcp_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return accepted(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int tcp_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return accepted(ctx->ret);
}
