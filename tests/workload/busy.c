// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * busy.c - test workload for on-CPU accounting: two threads burn CPU, then
 * each reads the kernel's own count of its time on a CPU (first field of
 * /proc/self/task/TID/schedstat) just before it ends, and the main thread
 * writes both to the manifest.
 *
 *   steady:  burns BURN_MS of CPU time in one go (switched out only when
 *            preempted)
 *   switchy: burns the same in slices of SLICE_US with a short sleep after
 *            each, so it switches out hundreds of times
 *
 * Usage: busy MANIFEST_PATH
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "die.h"

#define BURN_MS 300L
#define SLICE_US 1000L
#define NAP_US 100L

struct burner {
	const char *name;
	long slice_ns;          /* burn this much CPU between naps; 0: no naps */
	pid_t tid;
	unsigned long long schedstat_ns;
};

static long thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		die("clock_gettime: %s", strerror(errno));
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void nap(long us)
{
	struct timespec ts = { 0, us * 1000L };

	while (nanosleep(&ts, &ts) != 0)
		if (errno != EINTR)
			die("nanosleep: %s", strerror(errno));
}

static volatile unsigned long sink;

static void burn_until(long cpu_ns)
{
	while (thread_cpu_ns() < cpu_ns)
		for (int i = 0; i < 1000; i++)
			sink += i;
}

static unsigned long long read_schedstat(pid_t tid)
{
	char path[64];
	unsigned long long ns;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		die("open %s: %s", path, strerror(errno));
	if (fscanf(f, "%llu", &ns) != 1)
		die("reading %s: no number", path);
	fclose(f);
	return ns;
}

static void *burner_main(void *arg)
{
	struct burner *b = arg;
	long end = thread_cpu_ns() + BURN_MS * 1000000L;

	b->tid = (pid_t)syscall(SYS_gettid);
	pthread_setname_np(pthread_self(), b->name);
	if (b->slice_ns == 0)
		burn_until(end);
	else
		for (long t = thread_cpu_ns(); t < end; t = thread_cpu_ns()) {
			burn_until(t + b->slice_ns < end ? t + b->slice_ns : end);
			nap(NAP_US);
		}
	/* The kernel brings the count up to date when a thread is switched
	 * out: switch out once, then read it right after coming back. */
	nap(NAP_US);
	b->schedstat_ns = read_schedstat(b->tid);
	return NULL;
}

int main(int argc, char **argv)
{
	struct burner burners[] = {
		{ "steady", 0, 0, 0 },
		{ "switchy", SLICE_US * 1000L, 0, 0 },
	};
	pthread_t threads[2];
	FILE *manifest;
	int err;

	if (argc != 2)
		die("usage: %s MANIFEST_PATH", argv[0]);
	manifest = fopen(argv[1], "w");
	if (!manifest)
		die("open manifest %s: %s", argv[1], strerror(errno));
	for (int i = 0; i < 2; i++)
		if ((err = pthread_create(&threads[i], NULL, burner_main, &burners[i])) != 0)
			die("pthread_create: %s", strerror(err));
	for (int i = 0; i < 2; i++)
		if ((err = pthread_join(threads[i], NULL)) != 0)
			die("pthread_join: %s", strerror(err));
	fprintf(manifest, "main_pid=%d\n", (int)getpid());
	for (int i = 0; i < 2; i++)
		fprintf(manifest, "%s_tid=%d\n%s_schedstat_ns=%llu\n", burners[i].name,
			(int)burners[i].tid, burners[i].name, burners[i].schedstat_ns);
	if (fclose(manifest) != 0)
		die("closing manifest: %s", strerror(errno));
	return 0;
}
