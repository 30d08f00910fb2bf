/*
 * getppid storm: W workers call getppid(2) N/W times each, as fast as they can, and print
 * the rate. Built with gcc -static to run in a busybox container. See bench/syscall/README.md.
 *
 *   getppid [-n N] [-j WORKERS]        defaults: -n 20000000 -j 1
 *
 * Output, one line: getppid calls=N seconds=S calls_per_s=R workers=J
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    long n = 20000000;
    int workers = 1, opt;
    while ((opt = getopt(argc, argv, "n:j:")) != -1) {
        if (opt == 'n') n = atol(optarg);
        else if (opt == 'j') workers = atoi(optarg);
        else { fprintf(stderr, "usage: getppid [-n N] [-j WORKERS]\n"); return 2; }
    }
    double t0 = now();
    for (int w = 0; w < workers; w++) {
        if (fork() == 0) {
            for (long i = 0; i < n / workers; i++)
                syscall(SYS_getppid); /* not glibc's getppid(): no caching, always the syscall */
            _exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;
    double s = now() - t0;
    printf("getppid calls=%ld seconds=%.3f calls_per_s=%.0f workers=%d\n", n, s, n / s, workers);
    return 0;
}
