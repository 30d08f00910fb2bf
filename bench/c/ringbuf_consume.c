// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * CPU cost per record of libbpf's ring_buffer__consume(): the C half of the ring-buffer
 * reader benchmark; the Java half is dev.apiary.bench.RingBufferBench, and bench/run runs
 * both. Same object (ringfill.bpf.o), same configuration, same rounds, same output format.
 *
 * Each round fills the ring with the `ringfill` program (one BPF_PROG_TEST_RUN on this
 * thread), then times one ring_buffer__consume() that drains it, with a callback that does
 * nothing (mode empty) or reads the event type and the payload (mode touch): thread CPU
 * time (CLOCK_THREAD_CPUTIME_ID) and wall time (CLOCK_MONOTONIC), per record read.
 *
 * Build (bench/run does it):  gcc -O2 -Wall -o ringbuf_consume ringbuf_consume.c -lbpf
 * Usage: ringbuf_consume --object ringfill.bpf.o [--ring-bytes N] [--records N]
 *                        [--warmup N] [--rounds N] [--mode empty|touch] [--quiet]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define RING_RECORD_HEADER 8
#define FILL_EVENT_TYPE 1

/* struct bench_event of ringfill.bpf.c; checked against the object's BTF at start. */
struct bench_event {
	uint64_t ts_ns;
	uint64_t cgroup_id;
	uint32_t pid, tid, ppid, uid, gid, mnt_ns, pid_ns, net_ns, type, cpu;
	char comm[16];
	uint64_t seq;
};

struct touch {
	uint64_t count;
	uint64_t sum;
};

struct verify {
	uint64_t next;
	uint32_t pid;
	int errors;
};

static int empty_cb(void *ctx, void *data, size_t size)
{
	return 0;
}

static int touch_cb(void *ctx, void *data, size_t size)
{
	struct touch *t = ctx;
	const struct bench_event *e = data;

	t->count++;
	t->sum += e->type + e->seq;
	return 0;
}

static int verify_cb(void *ctx, void *data, size_t size)
{
	struct verify *v = ctx;
	const struct bench_event *e = data;
	uint64_t i = v->next++;

	if (size != sizeof(*e) || e->type != FILL_EVENT_TYPE || e->seq != i || e->pid != v->pid) {
		if (v->errors++ == 0)
			fprintf(stderr, "ringbuf-bench (c): record %llu: size %zu, type %u, seq %llu, pid %u\n",
				(unsigned long long)i, size, e->type, (unsigned long long)e->seq, e->pid);
	}
	return 0;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ringbuf-bench (c): ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *values, int n)
{
	double *v = malloc(n * sizeof(*v));
	double m;

	memcpy(v, values, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	free(v);
	return m;
}

/* Sets a const volatile global in the object's .rodata image, by its BTF name. */
static void set_rodata_u32(struct bpf_object *obj, const char *name, uint32_t value)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");
	int id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
	size_t size;
	char *image;

	if (!rodata || id < 0)
		die("the object has no .rodata with BTF");
	image = (char *)bpf_map__initial_value(rodata, &size); /* const in libbpf 1.1; writable until load */
	const struct btf_type *sec = btf__type_by_id(btf, id);
	const struct btf_var_secinfo *vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);
		if (strcmp(btf__name_by_offset(btf, var->name_off), name) != 0)
			continue;
		if (vsi->size != sizeof(value) || vsi->offset + vsi->size > size)
			die("global '%s' is %u bytes, not %zu", name, vsi->size, sizeof(value));
		memcpy(image + vsi->offset, &value, sizeof(value));
		return;
	}
	die("the object has no const volatile global '%s'", name);
}

static uint64_t lost_count(int lost_fd)
{
	int cpus = libbpf_num_possible_cpus();
	uint64_t values[cpus], sum = 0;
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(lost_fd, &zero, values) != 0)
		die("cannot read apiary_events_lost: %s", strerror(errno));
	for (int i = 0; i < cpus; i++)
		sum += values[i];
	return sum;
}

static void fill_ring(int prog_fd, int lost_fd, int records)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	uint64_t lost;

	if (bpf_prog_test_run_opts(prog_fd, &opts) != 0)
		die("cannot test-run ringfill: %s", strerror(errno));
	lost = lost_count(lost_fd);
	if ((int)opts.retval != records || lost != 0)
		die("the fill wrote %u of %d records, lost count %llu: make the ring bigger or --records smaller",
		    opts.retval, records, (unsigned long long)lost);
}

static void usage(const char *msg)
{
	fprintf(stderr, "ringbuf-bench (c): %s\n", msg);
	fprintf(stderr, "usage: ringbuf_consume --object ringfill.bpf.o [--ring-bytes N] [--records N]"
			" [--warmup N] [--rounds N] [--mode empty|touch] [--quiet]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *object = NULL, *mode = "empty";
	long ring_bytes = 16 << 20;
	int records = 0, warmup = 30, rounds = 30;
	bool quiet = false, touch;

	for (int i = 1; i < argc; i++) {
		bool more = i + 1 < argc;
		if (!strcmp(argv[i], "--object") && more)
			object = argv[++i];
		else if (!strcmp(argv[i], "--ring-bytes") && more)
			ring_bytes = atol(argv[++i]);
		else if (!strcmp(argv[i], "--records") && more)
			records = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--warmup") && more)
			warmup = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && more)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--mode") && more)
			mode = argv[++i];
		else if (!strcmp(argv[i], "--quiet"))
			quiet = true;
		else
			usage("unknown option or missing value");
	}
	if (!object)
		usage("--object is required");
	if (ring_bytes < 4096 || (ring_bytes & (ring_bytes - 1)))
		usage("--ring-bytes must be a power of two, at least a page");
	if (rounds < 1 || warmup < 0)
		usage("--rounds must be at least 1, --warmup at least 0");
	if (strcmp(mode, "empty") && strcmp(mode, "touch"))
		usage("--mode is empty or touch");
	touch = !strcmp(mode, "touch");

	libbpf_set_print(quiet_libbpf);
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .object_name = "ringfill");
	struct bpf_object *obj = bpf_object__open_file(object, &open_opts);
	if (!obj)
		die("cannot open %s: %s", object, strerror(errno));

	struct btf *btf = bpf_object__btf(obj);
	int ev = btf ? btf__find_by_name_kind(btf, "bench_event", BTF_KIND_STRUCT) : -1;
	if (ev < 0)
		die("the object has no struct bench_event in its BTF");
	long record_bytes = btf__type_by_id(btf, ev)->size;
	if (record_bytes != sizeof(struct bench_event))
		die("struct bench_event is %ld bytes in the object, %zu here", record_bytes, sizeof(struct bench_event));
	long slot = (record_bytes + RING_RECORD_HEADER + 7) & ~7L;
	if (records == 0)
		records = (int)(ring_bytes * 9 / 10 / slot);
	if ((long)records * slot > ring_bytes)
		die("%d records of %ld bytes do not fit in a ring of %ld bytes", records, slot, ring_bytes);

	set_rodata_u32(obj, "fill_count", records);
	set_rodata_u32(obj, "apiary_wakeup_bytes", 0xffffffffu); /* never wake: nobody polls */
	struct bpf_map *ring_map = bpf_object__find_map_by_name(obj, "apiary_events");
	struct bpf_map *lost_map = bpf_object__find_map_by_name(obj, "apiary_events_lost");
	if (!ring_map || !lost_map)
		die("the object has no apiary_events ring or apiary_events_lost counter");
	if (bpf_map__set_max_entries(ring_map, ring_bytes))
		die("cannot size the ring to %ld bytes", ring_bytes);
	if (bpf_object__load(obj))
		die("cannot load %s: %s", object, strerror(errno));
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "ringfill");
	if (!prog)
		die("the object has no program ringfill");
	int prog_fd = bpf_program__fd(prog);
	int ring_fd = bpf_map__fd(ring_map);
	int lost_fd = bpf_map__fd(lost_map);

	struct touch t = {0};
	struct ring_buffer *rb = touch ? ring_buffer__new(ring_fd, touch_cb, &t, NULL)
				       : ring_buffer__new(ring_fd, empty_cb, NULL, NULL);
	if (!rb)
		die("ring_buffer__new failed: %s", strerror(errno));

	printf("config impl=c mode=%s ring_bytes=%ld records=%d record_bytes=%ld ring_slot_bytes=%ld warmup=%d "
	       "rounds=%d libbpf=%u.%u\n",
	       mode, ring_bytes, records, record_bytes, slot, warmup, rounds,
	       libbpf_major_version(), libbpf_minor_version());

	double *cpu = calloc(rounds, sizeof(*cpu)), *wall = calloc(rounds, sizeof(*wall));
	for (int round = -warmup; round < rounds; round++) {
		fill_ring(prog_fd, lost_fd, records);
		t.count = 0;

		long long wall0 = now_ns(CLOCK_MONOTONIC);
		long long cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
		int read = ring_buffer__consume(rb);
		long long cpu1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
		long long wall1 = now_ns(CLOCK_MONOTONIC);

		if (read != records || (touch && t.count != (uint64_t)records) || ring_buffer__consume(rb) != 0)
			die("round %d: consume returned %d, %d were written", round, read, records);
		if (round < 0)
			continue;
		cpu[round] = (double)(cpu1 - cpu0) / records;
		wall[round] = (double)(wall1 - wall0) / records;
		if (!quiet)
			printf("round impl=c round=%d records=%d cpu_ns=%lld wall_ns=%lld cpu_ns_per_record=%.3f "
			       "wall_ns_per_record=%.3f\n",
			       round, records, cpu1 - cpu0, wall1 - wall0, cpu[round], wall[round]);
	}
	if (touch && t.sum == 42)
		fprintf(stderr, "(sum printed so the compiler keeps it: %llu)\n", (unsigned long long)t.sum);

	/* Last: one more fill read record by record with a checking callback. */
	struct verify v = {.pid = (uint32_t)getpid()};
	struct ring_buffer *check = ring_buffer__new(ring_fd, verify_cb, &v, NULL);
	if (!check)
		die("ring_buffer__new failed: %s", strerror(errno));
	fill_ring(prog_fd, lost_fd, records);
	if (ring_buffer__consume(check) != records || v.errors)
		die("the verification fill read %llu of %d records, %d wrong", (unsigned long long)v.next, records,
		    v.errors);
	ring_buffer__free(check);

	double cmin = cpu[0], cmax = cpu[0];
	for (int i = 1; i < rounds; i++) {
		cmin = cpu[i] < cmin ? cpu[i] : cmin;
		cmax = cpu[i] > cmax ? cpu[i] : cmax;
	}
	printf("result impl=c mode=%s rounds=%d records=%d record_bytes=%ld cpu_ns_per_record=%.3f "
	       "wall_ns_per_record=%.3f cpu_min=%.3f cpu_max=%.3f\n",
	       mode, rounds, records, record_bytes, median(cpu, rounds), median(wall, rounds), cmin, cmax);

	ring_buffer__free(rb);
	bpf_object__close(obj);
	free(cpu);
	free(wall);
	return 0;
}
