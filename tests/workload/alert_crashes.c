// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * alert_crashes.c - test workload for scripts/alerts/crashes.lua.
 *
 *   alert_crashes MANIFEST crash   children that end badly:
 *       exit3_child: exec /bin/sh -c "exit 3"               -> exits 3
 *       segv_child:  sleeps SEGV_MS, then writes to NULL    -> SIGSEGV (no core)
 *       term_child:  waits, the root sends SIGTERM          -> SIGTERM
 *     and some that end well: a child exiting 0, a thread; the root exits 0.
 *   alert_crashes MANIFEST clean   only the ones that end well.
 *
 * The manifest (key=value lines) holds the pids.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "die.h"

#define SEGV_MS 100

static FILE *manifest;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static pid_t start_child(void)
{
	pid_t pid;

	fflush(manifest);   /* a child must not inherit unwritten lines */
	if ((pid = fork()) < 0)
		die_errno("fork");
	return pid;
}

static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die_errno("waitpid");
	return status;
}

static void *thread_main(void *arg)
{
	sleep_ms(10);
	return arg;
}

static void good_endings(void)
{
	pthread_t thread;
	pid_t ok = start_child();

	if (ok == 0)
		_exit(0);
	reap(ok);
	fprintf(manifest, "ok_child=%d\n", (int)ok);
	if (pthread_create(&thread, NULL, thread_main, NULL) || pthread_join(thread, NULL))
		die_errno("thread");
}

static void bad_endings(void)
{
	pid_t exit3, segv, term;

	if ((exit3 = start_child()) == 0) {
		execl("/bin/sh", "/bin/sh", "-c", "exit 3", (char *)NULL);
		_exit(98);
	}
	reap(exit3);
	fprintf(manifest, "exit3_child=%d\n", (int)exit3);

	if ((segv = start_child()) == 0) {
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);   /* no core file left behind */
		sleep_ms(SEGV_MS);
		*(volatile int *)NULL = 1;
		_exit(98);
	}
	reap(segv);
	fprintf(manifest, "segv_child=%d\nsegv_ms=%d\n", (int)segv, SEGV_MS);

	if ((term = start_child()) == 0) {
		for (;;)
			pause();
	}
	sleep_ms(20);
	kill(term, SIGTERM);
	reap(term);
	fprintf(manifest, "term_child=%d\n", (int)term);
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[2], "crash") && strcmp(argv[2], "clean"))) {
		fprintf(stderr, "usage: alert_crashes MANIFEST crash|clean\n");
		return 2;
	}
	if (!(manifest = fopen(argv[1], "w")))
		die_errno(argv[1]);
	fprintf(manifest, "root_pid=%d\n", (int)getpid());
	good_endings();
	if (!strcmp(argv[2], "crash"))
		bad_endings();
	if (fclose(manifest))
		die_errno("closing manifest");
	return 0;
}
