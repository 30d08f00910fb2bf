// An open storm: open(2) and close(2) one file N times, then print what it took.
//   opens [-n N] [-f PATH] [-d]
// -d: N distinct paths instead, PATH.0 .. PATH.N-1, which need not exist (an open that fails
// with ENOENT counts): the storm that fills a per-path table (the report sink's bounds).
// Static (gcc -static), so it runs in a busybox container.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timespec a, struct timespec b)
{
	return (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	long n = 100000, ok = 0, missing = 0;
	const char *path = "/bench/open-me";
	int c, distinct = 0;
	char name[4096];

	while ((c = getopt(argc, argv, "n:f:d")) != -1) {
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 'f': path = optarg; break;
		case 'd': distinct = 1; break;
		default:
			fprintf(stderr, "usage: opens [-n N] [-f PATH] [-d]\n");
			return 2;
		}
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		const char *p = path;
		if (distinct) {
			snprintf(name, sizeof name, "%s.%ld", path, i);
			p = name;
		}
		int fd = open(p, O_RDONLY);
		if (fd < 0 && distinct && errno == ENOENT) {
			missing++;
			continue;
		}
		if (fd < 0) {
			perror(p);
			return 1;
		}
		close(fd);
		ok++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	double s = seconds(t0, t1);
	printf("opens n=%ld ok=%ld missing=%ld seconds=%.4f opens_per_s=%.0f cpu_seconds=%.4f path=%s%s\n", n, ok, missing, s,
	       (ok + missing) / s, cpu, path, distinct ? ".N" : "");
	return 0;
}
