// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * demo_cpu_wall.c - the workload of scripts/demos/cpu_vs_wall.lua.
 *
 * Four threads, each living about RUN_MS of wall-clock time:
 *   spin    computes the whole time
 *   spin2   computes the whole time too, in parallel with spin
 *   half    computes 5 ms, sleeps 5 ms, and so on
 *   nap     sleeps the whole time
 * Each says on stderr how much CPU time the kernel counted for it
 * (CLOCK_THREAD_CPUTIME_ID), to compare with what the tracer measured.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RUN_MS 300
#define HALF_MS 5

static double clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void spin_until(double end_ms)
{
	volatile unsigned long n = 0;

	while (clock_ms(CLOCK_MONOTONIC) < end_ms)
		n++;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void *worker(void *arg)
{
	const char *name = arg;
	double start = clock_ms(CLOCK_MONOTONIC), end = start + RUN_MS;

	pthread_setname_np(pthread_self(), name);
	if (!strcmp(name, "nap")) {
		sleep_ms(RUN_MS);
	} else if (!strcmp(name, "half")) {
		while (clock_ms(CLOCK_MONOTONIC) < end) {
			spin_until(clock_ms(CLOCK_MONOTONIC) + HALF_MS);
			sleep_ms(HALF_MS);
		}
	} else {
		spin_until(end);
	}
	fprintf(stderr, "demo_cpu_wall: thread %s tid=%ld cpu_ms=%.1f wall_ms=%.1f\n", name,
		(long)syscall(SYS_gettid), clock_ms(CLOCK_THREAD_CPUTIME_ID),
		clock_ms(CLOCK_MONOTONIC) - start);
	return NULL;
}

int main(void)
{
	static char *names[] = { "spin", "spin2", "half", "nap" };
	pthread_t threads[4];

	for (int i = 0; i < 4; i++)
		if ((errno = pthread_create(&threads[i], NULL, worker, names[i]))) {
			perror("demo_cpu_wall: pthread_create");
			return 99;
		}
	for (int i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	return 0;
}
