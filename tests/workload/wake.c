// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wake.c - test workload for wakeup events and run-queue latency.
 *
 *   wake runq MANIFEST
 *     Two threads pinned to one CPU burn BURN_MS of CPU time each, contending
 *     for it; each then reads the kernel's own count of its run-queue wait
 *     (second field of /proc/self/task/TID/schedstat; the third: how many
 *     times it ran) and the CLOCK_MONOTONIC time of that reading. Manifest:
 *     a_tid, a_run_delay_ns, a_runs, a_read_ns, b_...
 *
 *   wake wakers MANIFEST
 *     pingpong: a child process and the parent pass a byte back and forth
 *     ROUNDS times over two pipes (each blocks reading until the other
 *     writes); mutex: a thread blocks on a mutex the main thread holds while
 *     it sleeps SLEEP_MS (its nanosleep ended by the timer interrupt), then
 *     unlocks it. Manifest: main_pid, child_pid, worker_tid, rounds,
 *     pingpong_start_ns, pingpong_end_ns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "die.h"

#define BURN_MS 300L
#define ROUNDS 200
#define SLEEP_MS 50L

static long clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		die("clock_gettime: %s", strerror(errno));
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* ---- runq ----------------------------------------------------------------- */

struct burner {
	pid_t tid;
	unsigned long long run_delay_ns, runs;
	long read_ns;
};

static pthread_barrier_t start;
static volatile unsigned long sink;

static unsigned long long read_run_delay(pid_t tid, unsigned long long *runs)
{
	char path[64];
	unsigned long long on, wait;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)tid);
	if (!(f = fopen(path, "r")))
		die("open %s: %s", path, strerror(errno));
	if (fscanf(f, "%llu %llu %llu", &on, &wait, runs) != 3)
		die("reading %s: not three numbers", path);
	fclose(f);
	return wait;
}

static void *burner_main(void *arg)
{
	struct burner *b = arg;
	long end;

	b->tid = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&start);
	end = clock_ns(CLOCK_THREAD_CPUTIME_ID) + BURN_MS * 1000000L;
	while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 1000; i++)
			sink += i;
	/* Its waits end at its switch-ins, so the count is whole while it runs. */
	b->run_delay_ns = read_run_delay(b->tid, &b->runs);
	b->read_ns = clock_ns(CLOCK_MONOTONIC);
	return NULL;
}

static void runq(FILE *manifest)
{
	struct burner b[2] = { { 0 } };
	pthread_t threads[2];
	cpu_set_t one;
	int err;

	/* The first CPU this process may use; the threads inherit it. */
	if (sched_getaffinity(0, sizeof(one), &one))
		die_errno("sched_getaffinity");
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &one)) {
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			break;
		}
	if (sched_setaffinity(0, sizeof(one), &one))
		die_errno("sched_setaffinity");
	pthread_barrier_init(&start, NULL, 2);
	for (int i = 0; i < 2; i++)
		if ((err = pthread_create(&threads[i], NULL, burner_main, &b[i])) != 0)
			die("pthread_create: %s", strerror(err));
	for (int i = 0; i < 2; i++)
		if ((err = pthread_join(threads[i], NULL)) != 0)
			die("pthread_join: %s", strerror(err));
	for (int i = 0; i < 2; i++)
		fprintf(manifest, "%c_tid=%d\n%c_run_delay_ns=%llu\n%c_runs=%llu\n%c_read_ns=%ld\n", 'a' + i,
			(int)b[i].tid, 'a' + i, b[i].run_delay_ns, 'a' + i, b[i].runs, 'a' + i, b[i].read_ns);
}

/* ---- wakers --------------------------------------------------------------- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t worker_tid;
static int worker_ready[2];

static void *worker_main(void *arg)
{
	char byte = 1;

	worker_tid = (pid_t)syscall(SYS_gettid);
	if (write(worker_ready[1], &byte, 1) != 1)
		die_errno("write");
	pthread_mutex_lock(&lock);     /* blocks until the main thread unlocks */
	pthread_mutex_unlock(&lock);
	return arg;
}

/* Until thread tid sleeps in the futex syscall (state S and the syscall it
 * is in, from /proc): after saying it is ready, the worker's next step is
 * the mutex, so that is where it waits. Without this wait, a worker held
 * off the CPU for SLEEP_MS (a loaded host, an emulated guest) took the
 * mutex after the unlock and never waited for it; the state alone once let
 * a run go on with the worker asleep elsewhere (a CI run: no mutex wait). */
static bool in_futex_sleep(pid_t tid)
{
	char path[64], buf[512], *state;
	long nr = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if (!(f = fopen(path, "re")))
		die("open %s: %s", path, strerror(errno));
	buf[0] = 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	state = strrchr(buf, ')');   /* after the comm, which may hold anything */
	if (!(state && state[1] == ' ' && state[2] == 'S'))
		return false;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	if (!(f = fopen(path, "re")))
		die("open %s: %s", path, strerror(errno));
	if (fscanf(f, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	return nr == SYS_futex;
}

/* Yielding, not sleeping: a sleep of the main thread here would be a
 * timer wake-up of its own besides the one the check counts. */
static void wait_until_asleep(pid_t tid)
{
	long give_up = clock_ns(CLOCK_MONOTONIC) + 100 * 1000000000L;

	while (!in_futex_sleep(tid))
		if (sched_yield() || clock_ns(CLOCK_MONOTONIC) > give_up)
			die("worker %d never went to sleep on the mutex", (int)tid);
}

static void pass(int in, int out, int rounds, int first)
{
	char byte = 0;

	for (int i = 0; i < rounds; i++) {
		if (!(first && i == 0) && read(in, &byte, 1) != 1)
			die_errno("read");
		if (write(out, &byte, 1) != 1)
			die_errno("write");
	}
}

static void wakers(FILE *manifest)
{
	int to_child[2], to_parent[2], status, err;
	struct timespec nap = { 0, SLEEP_MS * 1000000L };
	long start_ns, end_ns;
	pthread_t worker;
	char byte;
	pid_t child;

	if (pipe(to_child) || pipe(to_parent) || pipe(worker_ready))
		die_errno("pipe");
	start_ns = clock_ns(CLOCK_MONOTONIC);
	child = fork();
	if (child < 0)
		die_errno("fork");
	if (child == 0) {
		pass(to_child[0], to_parent[1], ROUNDS, 0);
		_exit(0);
	}
	pass(to_parent[0], to_child[1], ROUNDS, 1);
	if (read(to_parent[0], &byte, 1) != 1)   /* the child's last answer */
		die_errno("read");
	end_ns = clock_ns(CLOCK_MONOTONIC);
	if (waitpid(child, &status, 0) != child || status != 0)
		die("the ping-pong child failed");

	pthread_mutex_lock(&lock);
	if ((err = pthread_create(&worker, NULL, worker_main, NULL)) != 0)
		die("pthread_create: %s", strerror(err));
	if (read(worker_ready[0], &byte, 1) != 1)
		die_errno("read");
	wait_until_asleep(worker_tid);
	while (nanosleep(&nap, &nap))
		if (errno != EINTR)
			die_errno("nanosleep");
	pthread_mutex_unlock(&lock);
	if ((err = pthread_join(worker, NULL)) != 0)
		die("pthread_join: %s", strerror(err));
	fprintf(manifest, "main_pid=%d\nchild_pid=%d\nworker_tid=%d\nrounds=%d\n"
		"pingpong_start_ns=%ld\npingpong_end_ns=%ld\n", (int)getpid(), (int)child,
		(int)worker_tid, ROUNDS, start_ns, end_ns);
}

int main(int argc, char **argv)
{
	FILE *manifest;

	if (argc != 3 || (strcmp(argv[1], "runq") && strcmp(argv[1], "wakers")))
		die("usage: %s runq|wakers MANIFEST_PATH", argv[0]);
	if (!(manifest = fopen(argv[2], "w")))
		die("open manifest %s: %s", argv[2], strerror(errno));
	if (!strcmp(argv[1], "runq"))
		runq(manifest);
	else
		wakers(manifest);
	if (fclose(manifest) != 0)
		die("closing manifest: %s", strerror(errno));
	return 0;
}
