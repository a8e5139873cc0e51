// SPDX-License-Identifier: GPL-2.0-or-later
/* switchstorm SECONDS [PAIRS]: PAIRS pairs of threads (default 2) pass one
 * byte back and forth over two pipes for SECONDS; every pass is a context
 * switch on and off the CPU. Prints how many round trips were made (on stderr). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

struct pair {
	int ping[2], pong[2];
	double end;
	long trips;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Echoes each byte back; ends at EOF. */
static void *echo(void *arg)
{
	struct pair *p = arg;
	char c;

	while (read(p->ping[0], &c, 1) == 1)
		if (write(p->pong[1], &c, 1) != 1)
			break;
	return NULL;
}

static void *serve(void *arg)
{
	struct pair *p = arg;
	char c = 'x';

	while (now() < p->end) {
		for (int i = 0; i < 1000; i++) {   /* check the clock now and then */
			if (write(p->ping[1], &c, 1) != 1 || read(p->pong[0], &c, 1) != 1)
				return NULL;
			p->trips++;
		}
	}
	close(p->ping[1]);   /* the echo thread ends */
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 10;
	int pairs = argc > 2 ? atoi(argv[2]) : 2;
	struct pair *p = calloc(pairs > 0 ? pairs : 1, sizeof(*p));
	pthread_t *t = calloc(2 * (pairs > 0 ? pairs : 1), sizeof(*t));
	long total = 0;

	if (secs <= 0 || pairs < 1 || !p || !t) {
		fprintf(stderr, "usage: switchstorm SECONDS [PAIRS]\n");
		return 2;
	}
	for (int i = 0; i < pairs; i++) {
		if (pipe(p[i].ping) || pipe(p[i].pong)) {
			perror("switchstorm: pipe");
			return 1;
		}
		p[i].end = now() + secs;
		pthread_create(&t[2 * i], NULL, echo, &p[i]);
		pthread_create(&t[2 * i + 1], NULL, serve, &p[i]);
	}
	for (int i = 0; i < 2 * pairs; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < pairs; i++)
		total += p[i].trips;
	fprintf(stderr, "switchstorm: %ld round trips in %.0f s (%.0f/s)\n", total, secs, total / secs);
	return 0;
}
