/* Wrapper header for jextract: the libbpf API plus the kernel UAPI headers that
 * define the BPF_*, BTF_KIND_* and XDP_FLAGS_* constants. See regenerate.sh. */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
