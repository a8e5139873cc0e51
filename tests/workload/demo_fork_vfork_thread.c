// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * demo_fork_vfork_thread.c - the workload of scripts/demos/fork_vfork_thread.lua.
 *
 * Makes one new task each way, and each new task sleeps CHILD_MS and ends:
 *   1. fork()            then the parent waits for it with waitpid()
 *   2. vfork()           the parent cannot do anything until the child is gone
 *   3. pthread_create()  then the parent waits for it with pthread_join()
 * and says on stderr what it made (the tracer's output should agree).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "die.h"

#define CHILD_MS 30

static const struct timespec child_nap = { 0, CHILD_MS * 1000000L };

static void *thread_main(void *arg)
{
	nanosleep(&child_nap, NULL);
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	return NULL;
}

int main(void)
{
	pthread_t thread;
	pid_t pid, tid;

	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		nanosleep(&child_nap, NULL);
		_exit(0);
	}
	if (waitpid(pid, NULL, 0) != pid)
		die_errno("waitpid");
	fprintf(stderr, "demo_fork_vfork_thread: pid %d: fork made %d\n", (int)getpid(), (int)pid);

	pid = vfork();
	if (pid < 0)
		die_errno("vfork");
	if (pid == 0) {
		/* A vfork child borrows its parent's memory and stack: it may
		 * only make system calls, then exec or _exit. */
		syscall(SYS_nanosleep, &child_nap, NULL);
		_exit(0);
	}
	if (waitpid(pid, NULL, 0) != pid)
		die_errno("waitpid");
	fprintf(stderr, "demo_fork_vfork_thread: pid %d: vfork made %d\n", (int)getpid(), (int)pid);

	if ((errno = pthread_create(&thread, NULL, thread_main, &tid)) ||
	    (errno = pthread_join(thread, NULL)))
		die_errno("pthread");
	fprintf(stderr, "demo_fork_vfork_thread: pid %d: pthread_create made %d\n", (int)getpid(), (int)tid);
	return 0;
}
