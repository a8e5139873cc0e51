// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * demo_offcpu.c - the workload of scripts/demos/offcpu_reasons.lua.
 *
 * One thread per reason to leave the CPU, each named after it:
 *   sleeper    sleeps (nanosleep) 100 ms, twice
 *   reader     reads a pipe that the main thread writes only after 100 ms
 *   locker     waits for a mutex that the main thread holds for 100 ms
 *   disk       writes a file and waits for it to reach the disk (fsync), 3 times
 *   spinner1/2 both compute for SPIN_MS on the same CPU: each keeps
 *              the other off the CPU (preemption)
 * The file goes in $TMPDIR, else /var/tmp (a disk, where /tmp may be memory).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "die.h"

#define WAIT_MS 100
#define SPIN_MS 200
#define DISK_ROUNDS 3
#define DISK_BYTES (256 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int pipe_fds[2];

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *sleeper(void *arg)
{
	sleep_ms(WAIT_MS);
	sleep_ms(WAIT_MS);
	return arg;
}

static void *reader(void *arg)
{
	char byte;

	if (read(pipe_fds[0], &byte, 1) != 1)
		die_errno("read");
	return arg;
}

static void *locker(void *arg)
{
	pthread_mutex_lock(&lock);
	pthread_mutex_unlock(&lock);
	return arg;
}

static void *disk(void *arg)
{
	static char block[DISK_BYTES];
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/demo_offcpu.XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0)
		die_errno(path);
	unlink(path);
	for (int i = 0; i < DISK_ROUNDS; i++) {
		memset(block, 'a' + i, sizeof(block));
		if (pwrite(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block) || fsync(fd))
			die_errno("write and fsync");
	}
	close(fd);
	return arg;
}

static void *spinner(void *arg)
{
	cpu_set_t cpu0;
	volatile unsigned long n = 0;
	double end;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		die_errno("sched_setaffinity");
	for (end = now_ms() + SPIN_MS; now_ms() < end;)
		n++;
	return arg;
}

int main(void)
{
	static const struct { const char *name; void *(*fn)(void *); } jobs[] = {
		{ "sleeper", sleeper }, { "reader", reader }, { "locker", locker },
		{ "disk", disk }, { "spinner1", spinner }, { "spinner2", spinner },
	};
	enum { NJOBS = sizeof(jobs) / sizeof(jobs[0]) };
	pthread_t threads[NJOBS];

	if (pipe(pipe_fds))
		die_errno("pipe");
	pthread_mutex_lock(&lock);
	for (int i = 0; i < NJOBS; i++) {
		if ((errno = pthread_create(&threads[i], NULL, jobs[i].fn, NULL)))
			die_errno("pthread_create");
		pthread_setname_np(threads[i], jobs[i].name);
	}
	sleep_ms(WAIT_MS);
	pthread_mutex_unlock(&lock);
	if (write(pipe_fds[1], "x", 1) != 1)
		die_errno("write");
	for (int i = 0; i < NJOBS; i++)
		if ((errno = pthread_join(threads[i], NULL)))
			die_errno("pthread_join");
	return 0;
}
