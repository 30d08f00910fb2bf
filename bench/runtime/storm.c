/*
 * Exec storm: fork + execve a static program N times, as fast as this machine allows, and
 * print how many execs ran and at what rate. Built with gcc -static so it runs in a
 * container without libc (busybox:local). See bench/README.md, "Runtime".
 *
 *   storm [-n N] [-j WORKERS] [-p PATH]      defaults: -n 20000 -j 1 -p /bench/true
 *
 * Each worker runs N/WORKERS fork+exec+wait in sequence; -j 2 keeps both cores busy.
 * Output, one key=value line on stdout:
 *   storm execs=N ok=N failed=N seconds=S execs_per_s=R cpu_seconds=C workers=J path=P
 * cpu_seconds: user + system CPU of the workers and their children (getrusage), which
 * includes the BPF programs that run in the exec'ing tasks, and not a tracer's own process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs n fork+exec+wait; returns how many children exited 0. */
static long run(long n, const char *path) {
    char *argv[] = {(char *)path, NULL};
    char *envp[] = {NULL};
    long ok = 0;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            exit(2);
        }
        if (pid == 0) {
            execve(path, argv, envp);
            _exit(127);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                perror("waitpid");
                exit(2);
            }
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            ok++;
    }
    return ok;
}

int main(int argc, char **argv) {
    long n = 20000;
    int workers = 1;
    const char *path = "/bench/true";
    int opt;
    while ((opt = getopt(argc, argv, "n:j:p:")) != -1) {
        switch (opt) {
        case 'n': n = atol(optarg); break;
        case 'j': workers = atoi(optarg); break;
        case 'p': path = optarg; break;
        default:
            fprintf(stderr, "usage: storm [-n N] [-j WORKERS] [-p PATH]\n");
            return 2;
        }
    }
    /* argv[0] and the path in an anonymous (heap) page, as a shell would have them: a
     * child's page tables for file-backed pages (the literal default, in .rodata) are not
     * copied at fork, so a tracer reading them at sys_enter_execve, where it may not fault,
     * would read nothing. */
    path = strdup(path);
    if (n < 1 || workers < 1 || workers > 64) {
        fprintf(stderr, "storm: bad -n or -j\n");
        return 2;
    }
    int fds[64][2];
    pid_t kids[64];
    double t0 = now();
    for (int w = 0; w < workers; w++) {
        long share = n / workers + (w < n % workers ? 1 : 0);
        if (pipe(fds[w]) < 0) { perror("pipe"); return 2; }
        kids[w] = fork();
        if (kids[w] < 0) { perror("fork"); return 2; }
        if (kids[w] == 0) {
            close(fds[w][0]);
            long ok = run(share, path);
            if (write(fds[w][1], &ok, sizeof ok) != sizeof ok) _exit(2);
            _exit(0);
        }
        close(fds[w][1]);
    }
    long ok = 0;
    for (int w = 0; w < workers; w++) {
        long k = 0;
        if (read(fds[w][0], &k, sizeof k) != sizeof k) {
            fprintf(stderr, "storm: worker %d failed\n", w);
            return 2;
        }
        ok += k;
        waitpid(kids[w], NULL, 0);
    }
    double secs = now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("storm execs=%ld ok=%ld failed=%ld seconds=%.3f execs_per_s=%.0f cpu_seconds=%.3f workers=%d path=%s\n",
           n, ok, n - ok, secs, n / secs, cpu, workers, path);
    return ok == n ? 0 : 1;
}
