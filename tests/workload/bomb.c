// SPDX-License-Identifier: GPL-2.0-or-later
/* A wide process tree: N children alive at once, each blocked on a pipe;
 * while they all live, one more child execs /bin/true; then all are let go
 * and reaped. Writes what it did to MANIFEST:
 *   children N
 *   last PID        (the child that exec'd)
 * Usage: bomb N MANIFEST */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include "die.h"

int main(int argc, char **argv)
{
	int gate[2], status;
	long n;
	pid_t last;
	FILE *m;

	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) < 1)
		die("usage: bomb N MANIFEST");
	if (pipe(gate))
		die("pipe");
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		char c;

		if (p < 0)
			die("fork");
		if (p == 0) {
			close(gate[1]);
			while (read(gate[0], &c, 1) > 0)
				;
			_exit(0);
		}
	}
	last = fork();
	if (last < 0)
		die("fork");
	if (last == 0) {
		execl("/bin/true", "true", "bomb-last", (char *)NULL);
		_exit(127);
	}
	if (waitpid(last, &status, 0) != last || !WIFEXITED(status) || WEXITSTATUS(status))
		die("the last child failed");
	close(gate[1]);
	for (long i = 0; i < n; i++)
		if (wait(&status) < 0)
			die("wait");
	if (!(m = fopen(argv[2], "w")))
		die("manifest");
	fprintf(m, "children %ld\nlast %d\n", n, (int)last);
	fclose(m);
	return 0;
}
