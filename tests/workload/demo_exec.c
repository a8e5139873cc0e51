// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * demo_exec.c - the workload of scripts/demos/exec_image.lua.
 *
 * One process, three images:
 *   demo_exec starts a second thread (it sleeps), then
 *   tries to exec a program that does not exist (fails: it goes on), then
 *   execs /bin/sh -c 'exec /bin/sleep 0.05', and sh execs sleep.
 * The pid never changes; the other thread does not survive the exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pid_t helper_tid;
static int helper_ready[2];

static void *helper(void *arg)
{
	char byte = 1;

	helper_tid = (pid_t)syscall(SYS_gettid);
	if (write(helper_ready[1], &byte, 1) != 1)
		return arg;
	for (;;)
		pause();
}

int main(void)
{
	pthread_t thread;
	char byte;

	if (pipe(helper_ready) || (errno = pthread_create(&thread, NULL, helper, NULL)) ||
	    read(helper_ready[0], &byte, 1) != 1) {
		perror("demo_exec: starting the helper thread");
		return 99;
	}
	fprintf(stderr, "demo_exec: pid %d, helper thread %d\n", (int)getpid(), (int)helper_tid);

	execl("/nonexistent/demo-program", "demo-program", (char *)NULL);
	fprintf(stderr, "demo_exec: exec of /nonexistent/demo-program failed (%s); still demo_exec\n",
		strerror(errno));

	execl("/bin/sh", "sh", "-c", "exec /bin/sleep 0.05", (char *)NULL);
	perror("demo_exec: exec /bin/sh");
	return 99;
}
