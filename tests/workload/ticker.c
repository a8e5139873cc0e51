// SPDX-License-Identifier: GPL-2.0-or-later
/* ticker: forks a short-lived child every 20 ms (the child exits with the
 * tick number mod 256), for at most 60 s; a steady source of lifecycle
 * events for tests that change targets while running. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

int main(void)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };

	for (int i = 0; i < 3000; i++) {
		pid_t child = fork();
		if (child < 0) {
			perror("ticker: fork");
			return 1;
		}
		if (child == 0)
			_exit(i & 0xff);
		waitpid(child, NULL, 0);
		nanosleep(&tick, NULL);
	}
	return 0;
}
