// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * known_ends.c - a workload whose process starts and ends are known, for
 * the exporter's test (tests/integration/prometheus.sh).
 *
 *   known_ends NAME N M K
 *
 * Takes NAME as its command name (children inherit it), then forks N
 * children that exit 0, M that die of SIGSEGV (no core file) and K that
 * exit 3, one after another, and reaps each. It checks every wait status
 * and prints what the kernel said: "forks=F exit0=A segv=B exit3=C";
 * it exits 0 only if each child ended as planned.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "die.h"

enum plan { EXIT0, SEGV, EXIT3 };

static void child(enum plan p)
{
	if (p == SEGV) {
		volatile int *nowhere = NULL;
		signal(SIGSEGV, SIG_DFL);
		*nowhere = 1;
	}
	_exit(p == EXIT3 ? 3 : 0);
}

int main(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };
	long n[3];
	long forks = 0, seen[3] = { 0 };

	if (argc != 5)
		die("usage: known_ends NAME N M K");
	for (int i = 0; i < 3; i++)
		n[i] = strtol(argv[i + 2], NULL, 10);
	if (prctl(PR_SET_NAME, argv[1]) || setrlimit(RLIMIT_CORE, &no_core))
		die_errno("prctl/setrlimit");
	for (int p = EXIT0; p <= EXIT3; p++)
		for (long i = 0; i < n[p]; i++) {
			int status;
			pid_t pid = fork();

			if (pid < 0)
				die_errno("fork");
			if (pid == 0)
				child(p);
			forks++;
			if (waitpid(pid, &status, 0) != pid)
				die_errno("waitpid");
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				seen[EXIT0]++;
			else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
				seen[SEGV]++;
			else if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
				seen[EXIT3]++;
		}
	printf("forks=%ld exit0=%ld segv=%ld exit3=%ld\n", forks, seen[EXIT0], seen[SEGV], seen[EXIT3]);
	return seen[EXIT0] == n[EXIT0] && seen[SEGV] == n[SEGV] && seen[EXIT3] == n[EXIT3] ? 0 : 1;
}
