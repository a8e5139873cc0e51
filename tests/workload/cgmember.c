// SPDX-License-Identifier: GPL-2.0-or-later
/* cgmember OUT [GO]: writes "pid N" (its getpid(), as its own pid namespace
 * numbers it) to OUT; with GO, waits until that file exists (the test moves
 * it into a cgroup meanwhile); then forks a child that exits 3, reaps it,
 * writes "child N" and exits 0. Ground truth for the cgroup, uid, comm and
 * pid-namespace tests. */
#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "die.h"

static void put(const char *path, const char *what, long n)
{
	FILE *f = fopen(path, "a");

	if (!f)
		die("cannot write %s", path);
	fprintf(f, "%s %ld\n", what, n);
	fclose(f);
}

int main(int argc, char **argv)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t child;
	int status;

	if (argc < 2)
		die("usage: cgmember OUT [GO]");
	put(argv[1], "pid", getpid());
	for (int i = 0; argc > 2 && access(argv[2], F_OK); i++) {
		if (i > 6000)
			die("no %s after 60 s", argv[2]);
		nanosleep(&tick, NULL);
	}
	if ((child = fork()) < 0)
		die("fork failed");
	if (child == 0)
		_exit(3);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 3)
		die("the child did not exit 3");
	put(argv[1], "child", child);
	return 0;
}
