// A connect storm on loopback: one listener, then N cycles of connect, accept, close.
//
//   tcpstorm [-n CYCLES] [-p PORT]
//
// Prints "tcpstorm cycles=N port=P seconds=WALL cpu_seconds=CPU failed=F". Built static
// so that it runs in a busybox container. The accepted side closes first, so TIME_WAIT
// lands on the server side and the client's ephemeral ports stay free.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	long cycles = 10000;
	int port = 9400, opt, one = 1;
	long failed = 0;

	while ((opt = getopt(argc, argv, "n:p:")) != -1) {
		if (opt == 'n')
			cycles = atol(optarg);
		else if (opt == 'p')
			port = atoi(optarg);
		else {
			fprintf(stderr, "usage: tcpstorm [-n CYCLES] [-p PORT]\n");
			return 2;
		}
	}
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof(addr)) || listen(l, 128)) {
		perror("tcpstorm: listen");
		return 1;
	}
	double t0 = now(), c0 = cpu();
	for (long i = 0; i < cycles; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof(addr))) {
			failed++;
			if (c >= 0)
				close(c);
			continue;
		}
		int a = accept(l, NULL, NULL);
		if (a >= 0)
			close(a);
		else
			failed++;
		close(c);
	}
	double wall = now() - t0, used = cpu() - c0;
	close(l);
	printf("tcpstorm cycles=%ld port=%d seconds=%.6f cpu_seconds=%.6f failed=%ld\n", cycles, port, wall, used, failed);
	return failed ? 1 : 0;
}
