// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * demo_zombie.c - the workload of scripts/demos/zombie.lua.
 *
 * The parent forks a child that works CHILD_MS and exits with code 7. The
 * parent is busy elsewhere (it sleeps PARENT_MS) and only then calls
 * waitpid(): in between, the child is a zombie. After reaping, the parent
 * lingers LINGER_MS so a tracer can see the zombie gone before the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILD_MS 50
#define PARENT_MS 500
#define LINGER_MS 200

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(void)
{
	int status;
	pid_t child = fork();

	if (child < 0) {
		perror("demo_zombie: fork");
		return 99;
	}
	if (child == 0) {
		sleep_ms(CHILD_MS);
		_exit(7);
	}
	fprintf(stderr, "demo_zombie: parent %d forked child %d; sleeping %d ms before waitpid\n",
		(int)getpid(), (int)child, PARENT_MS);
	sleep_ms(PARENT_MS);
	if (waitpid(child, &status, 0) != child) {
		perror("demo_zombie: waitpid");
		return 99;
	}
	fprintf(stderr, "demo_zombie: reaped child %d: exit code %d\n", (int)child, WEXITSTATUS(status));
	sleep_ms(LINGER_MS);
	return 0;
}
