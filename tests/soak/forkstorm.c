// SPDX-License-Identifier: GPL-2.0-or-later
/* forkstorm SECONDS [WORKERS]: WORKERS processes (default 2) each fork a
 * child that execs /bin/true, wait for it, and go again, for SECONDS; a
 * fork/exec/exit storm. Prints how many children ran (on stderr). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 10, end = now() + secs;
	int workers = argc > 2 ? atoi(argv[2]) : 2;
	/* Shared with the workers: one counter each. */
	long *runs = mmap(NULL, workers * sizeof(long), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long total = 0;

	if (secs <= 0 || workers < 1 || runs == MAP_FAILED) {
		fprintf(stderr, "usage: forkstorm SECONDS [WORKERS]\n");
		return 2;
	}
	for (int w = 0; w < workers; w++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("forkstorm: fork");
			return 1;
		}
		if (pid > 0)
			continue;
		while (now() < end) {
			pid_t child = fork();
			if (child == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			if (child < 0 || waitpid(child, NULL, 0) != child)
				_exit(1);
			runs[w]++;
		}
		_exit(0);
	}
	for (int w = 0; w < workers; w++)
		wait(NULL);
	for (int w = 0; w < workers; w++)
		total += runs[w];
	/* stderr: stdout may be a slow pipe the tracer writes to */
	fprintf(stderr, "forkstorm: %ld children in %.0f s (%.0f/s)\n", total, secs, total / secs);
	return 0;
}
