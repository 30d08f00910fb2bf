// An open storm: open(2) and close(2) one file N times, then print what it took.
//   opens [-n N] [-f PATH]
// Static (gcc -static), so it runs in a busybox container.
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
	long n = 100000, ok = 0;
	const char *path = "/bench/open-me";
	int c;

	while ((c = getopt(argc, argv, "n:f:")) != -1) {
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 'f': path = optarg; break;
		default:
			fprintf(stderr, "usage: opens [-n N] [-f PATH]\n");
			return 2;
		}
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);
		if (fd < 0) {
			perror(path);
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
	printf("opens n=%ld ok=%ld seconds=%.4f opens_per_s=%.0f cpu_seconds=%.4f path=%s\n", n, ok, s, ok / s, cpu, path);
	return 0;
}
