// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * measure.c - run a tracer and report what it cost: its own CPU time (not
 * its children's: a tracer started with -c reaps the workload), its peak
 * RSS and its wall time.
 *
 * Usage: measure RESULT_FILE CMD [ARGS...]
 * Sets KT_BENCH_T0 (CLOCK_REALTIME ns) in CMD's environment just before
 * starting it, so the workload can tell how long the tracer took to let it
 * go. Writes "cpu_ms=.. maxrss_kb=.. wall_ms=.. wakeups=.. status=.." to RESULT_FILE
 * (wakeups: the voluntary context switches of its main thread) and
 * exits with CMD's status. SIGINT/SIGTERM are passed on to CMD.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* utime + stime of the process itself (fields 14 and 15 of /proc/PID/stat),
 * read while it is a zombie, before we reap it. */
static long long own_cpu_ms(pid_t pid)
{
	char path[64], buf[4096], *p;
	unsigned long long utime, stime;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');   /* comm may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &utime, &stime) != 2)
		return -1;
	return (long long)(utime + stime) * 1000 / sysconf(_SC_CLK_TCK);
}

/* How often the process went to sleep and was woken: its consumer wake-ups. */
static long long wakeups(pid_t pid)
{
	char path[64], line[256];
	long long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %lld", &n) == 1)
			break;
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = pass_on };
	struct rusage ru;
	siginfo_t info;
	long long t0, wall;
	long long cpu, woken;
	char t0_text[32];
	int status;
	FILE *out;

	if (argc < 3) {
		fputs("usage: measure RESULT_FILE CMD [ARGS...]\n", stderr);
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	t0 = now_ns(CLOCK_MONOTONIC);
	snprintf(t0_text, sizeof(t0_text), "%lld", now_ns(CLOCK_REALTIME));
	setenv("KT_BENCH_T0", t0_text, 1);
	child = fork();
	if (child < 0) {
		perror("measure: fork");
		return 1;
	}
	if (child == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "measure: cannot run %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (waitid(P_PID, child, &info, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR) {
			perror("measure: waitid");
			return 1;
		}
	wall = now_ns(CLOCK_MONOTONIC) - t0;
	cpu = own_cpu_ms(child);
	woken = wakeups(child);
	/* ru_maxrss also counts the children the tracer reaped (the workload),
	 * which are far smaller than any tracer. */
	while (wait4(child, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("measure: wait4");
			return 1;
		}
	if (!(out = fopen(argv[1], "w"))) {
		perror(argv[1]);
		return 1;
	}
	fprintf(out, "cpu_ms=%lld maxrss_kb=%ld wall_ms=%lld wakeups=%lld status=%d\n",
		cpu, ru.ru_maxrss, wall / 1000000, woken, status);
	fclose(out);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
