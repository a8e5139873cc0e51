// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * alert_offcpu.c - test workload for scripts/alerts/offcpu.lua.
 *
 * Two threads each stay off-CPU for about MS milliseconds, for two different
 * reasons: the main thread sleeps (nanosleep) while holding a mutex, and a
 * worker thread waits for that mutex (a futex). Then both end.
 *
 * Usage: alert_offcpu MANIFEST_PATH MS
 * The manifest (key=value lines) holds main_pid, worker_tid and ms.
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
#include "die.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t worker_tid;
static int worker_started[2];

static void *worker(void *arg)
{
	char byte = 1;

	worker_tid = (pid_t)syscall(SYS_gettid);
	if (write(worker_started[1], &byte, 1) != 1)
		die_errno("write");
	pthread_mutex_lock(&lock);     /* blocks until main wakes up */
	pthread_mutex_unlock(&lock);
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t thread;
	FILE *manifest;
	char byte;
	long ms;
	int err;

	if (argc != 3 || (ms = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: alert_offcpu MANIFEST_PATH MS\n");
		return 2;
	}
	struct timespec nap = { ms / 1000, (ms % 1000) * 1000000L };

	if (!(manifest = fopen(argv[1], "w")))
		die_errno(argv[1]);
	if (pipe(worker_started))
		die_errno("pipe");
	pthread_mutex_lock(&lock);
	if ((err = pthread_create(&thread, NULL, worker, NULL)))
		die("pthread_create: %s", strerror(err));
	/* Sleep only once the worker is about to take the lock. */
	if (read(worker_started[0], &byte, 1) != 1)
		die_errno("read");
	while (nanosleep(&nap, &nap) && errno == EINTR)
		;
	pthread_mutex_unlock(&lock);
	if ((err = pthread_join(thread, NULL)))
		die("pthread_join: %s", strerror(err));

	fprintf(manifest, "main_pid=%d\nworker_tid=%d\nms=%ld\n", (int)getpid(), (int)worker_tid, ms);
	if (fclose(manifest))
		die_errno("closing manifest");
	return 0;
}
