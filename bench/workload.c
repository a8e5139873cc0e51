// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * workload.c - the benchmark's target: one timed loop of process-lifecycle
 * work, pinned to one CPU, started only once the tracer is attached.
 *
 * Usage: workload MODE [COUNT] [--cpu N] [--gate FIFO] [--out FILE]
 *   fork      COUNT x fork(), the child _exit(0)s, the parent waits
 *   exec      COUNT x vfork() + exec /bin/true, waited
 *   thread    COUNT x pthread_create() + pthread_join()
 *   pingpong  COUNT round trips of one byte between two threads over pipes
 *   idle      no loop: sleeps until a signal ends it (a target that does nothing)
 *
 * --gate FIFO holds the loop until a byte can be read from FIFO (for tracers
 * without a -c option); under `tracer -c` the tracer's own gate holds us.
 * When KT_BENCH_T0 (CLOCK_REALTIME ns when the tracer was started) is set,
 * the time from it to our start is reported as the tracer's start-to-attached
 * time. The result is one line of key=value pairs, to --out or stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void run_fork(long n)
{
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
	}
}

/* One vfork + exec + wait, in its own frame: nothing of the caller's can be
 * clobbered while the child borrows the stack. */
static __attribute__((noinline)) void spawn_true(void)
{
	static char *const argv[] = { "/bin/true", NULL };
	int status;
	pid_t pid = vfork();

	if (pid < 0)
		die("vfork");
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "workload: /bin/true failed (status %d)\n", status);
		exit(1);
	}
}

static void run_exec(long n)
{
	for (long i = 0; i < n; i++)
		spawn_true();
}

static void *nothing(void *arg)
{
	return arg;
}

static void run_thread(long n)
{
	for (long i = 0; i < n; i++) {
		pthread_t t;
		int e = pthread_create(&t, NULL, nothing, NULL);

		if (e) {
			errno = e;
			die("pthread_create");
		}
		pthread_join(t, NULL);
	}
}

struct pong {
	int in, out;
	long n;
};

/* The second thread: echoes every byte back. */
static void *ponger(void *arg)
{
	struct pong *p = arg;
	char c;

	for (long i = 0; i < p->n; i++) {
		if (read(p->in, &c, 1) != 1 || write(p->out, &c, 1) != 1)
			die("ponger pipe");
	}
	return NULL;
}

static void run_pingpong(long n)
{
	int ping[2], pong[2];
	struct pong p;
	pthread_t t;
	char c = 'x';

	if (pipe(ping) || pipe(pong))
		die("pipe");
	p.in = ping[0];
	p.out = pong[1];
	p.n = n;
	if (pthread_create(&t, NULL, ponger, &p))
		die("pthread_create");
	for (long i = 0; i < n; i++) {
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			die("pinger pipe");
	}
	pthread_join(t, NULL);
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void wait_at_gate(const char *fifo)
{
	char byte;
	int fd = open(fifo, O_RDONLY);

	if (fd < 0)
		die(fifo);
	if (read(fd, &byte, 1) != 1) {
		fprintf(stderr, "workload: gate %s closed without a byte\n", fifo);
		exit(1);
	}
	close(fd);
}

static void usage(void)
{
	fputs("usage: workload fork|exec|thread|pingpong|idle [COUNT] "
	      "[--cpu N] [--gate FIFO] [--out FILE]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	long long started = now_ns(CLOCK_REALTIME), t0, elapsed;
	const char *mode = NULL, *gate = NULL, *out_path = NULL, *t0_env;
	long count = -1;
	int cpu = 1;
	FILE *out = stdout;
	char *end;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
			cpu = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--gate") && i + 1 < argc)
			gate = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out_path = argv[++i];
		else if (!mode)
			mode = argv[i];
		else if (count < 0 && (count = strtol(argv[i], &end, 10)) >= 0 && !*end)
			;
		else
			usage();
	}
	if (!mode)
		usage();
	if (cpu >= 0)
		pin_to_cpu(cpu);

	if (!strcmp(mode, "idle")) {
		pause();   /* ended by the signal that stops the tracer */
		return 0;
	}
	if (count < 0)
		count = !strcmp(mode, "fork") ? 12000 : !strcmp(mode, "exec") ? 3000 : 40000;
	if (gate)
		wait_at_gate(gate);

	t0 = now_ns(CLOCK_MONOTONIC);
	if (!strcmp(mode, "fork"))
		run_fork(count);
	else if (!strcmp(mode, "exec"))
		run_exec(count);
	else if (!strcmp(mode, "thread"))
		run_thread(count);
	else if (!strcmp(mode, "pingpong"))
		run_pingpong(count);
	else
		usage();
	elapsed = now_ns(CLOCK_MONOTONIC) - t0;

	if (out_path && !(out = fopen(out_path, "w")))
		die(out_path);
	fprintf(out, "mode=%s count=%ld elapsed_ns=%lld", mode, count, elapsed);
	t0_env = getenv("KT_BENCH_T0");
	if (t0_env && !gate)
		fprintf(out, " attach_ns=%lld", started - atoll(t0_env));
	fputc('\n', out);
	return fclose(out) ? 1 : 0;
}
