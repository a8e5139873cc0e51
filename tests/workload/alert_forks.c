// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * alert_forks.c - test workload for scripts/alerts/forkrate.lua.
 *
 *   alert_forks MANIFEST burst N   a storm: the root forks a "sub" child, then
 *                                  N children of its own as fast as it can;
 *                                  sub forks N/2 (a grandchild generation that
 *                                  only a tracer following descendants sees)
 *   alert_forks MANIFEST steady N MS   N children, one every MS milliseconds
 *
 * Every child exits at once. The manifest (key=value lines) holds root_pid,
 * sub_pid (burst) and the number of tasks created by each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "die.h"

/* Fork n children that exit at once, waiting for each; pause ms between. */
static void fork_children(long n, long ms)
{
	struct timespec gap = { ms / 1000, (ms % 1000) * 1000000L };

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die_errno("fork");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			die_errno("waitpid");
		if (ms)
			nanosleep(&gap, NULL);
	}
}

int main(int argc, char **argv)
{
	FILE *manifest;
	long n;

	if (argc < 4 || (n = atol(argv[3])) <= 0 ||
	    !((!strcmp(argv[2], "burst") && argc == 4) || (!strcmp(argv[2], "steady") && argc == 5))) {
		fprintf(stderr, "usage: alert_forks MANIFEST burst N | alert_forks MANIFEST steady N MS\n");
		return 2;
	}
	if (!(manifest = fopen(argv[1], "w")))
		die_errno(argv[1]);
	fprintf(manifest, "root_pid=%d\n", (int)getpid());

	if (!strcmp(argv[2], "steady")) {
		fork_children(n, atol(argv[4]));
		fprintf(manifest, "root_children=%ld\n", n);
	} else {
		int status;
		pid_t sub = fork();
		if (sub < 0)
			die_errno("fork");
		if (sub == 0) {
			fork_children(n / 2, 0);
			_exit(0);
		}
		fork_children(n, 0);
		if (waitpid(sub, &status, 0) != sub)
			die_errno("waitpid");
		fprintf(manifest, "sub_pid=%d\nroot_children=%ld\nsub_children=%ld\n",
			(int)sub, n + 1, n / 2);
	}
	if (fclose(manifest))
		die_errno("closing manifest");
	return 0;
}
