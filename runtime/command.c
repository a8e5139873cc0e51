// SPDX-License-Identifier: GPL-2.0-or-later
/* --cmd: fork a child held at a gate (a pipe), target it, then let it exec. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <wordexp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include "command.h"
#include "warn.h"

int kt_command_start(struct kt_command *c, const char *cmd, char *err, int errlen)
{
	wordexp_t words;
	int gate[2], r;
	char byte;

	r = wordexp(cmd, &words, WRDE_NOCMD | WRDE_SHOWERR);
	if (r || words.we_wordc == 0) {
		snprintf(err, errlen, "cannot parse command: %s", cmd);
		if (!r)
			wordfree(&words);
		return -1;
	}
	if (pipe2(gate, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		wordfree(&words);
		return -1;
	}
	c->pid = fork();
	if (c->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		wordfree(&words);
		return -1;
	}
	if (c->pid == 0) {
		/* Die with the tracer; a tracer that is killed leaves no child. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		close(gate[1]);
		if (read(gate[0], &byte, 1) != 1)
			_exit(127);   /* the tracer went away before releasing us */
		execvp(words.we_wordv[0], words.we_wordv);
		kt_warn("cannot run %s: %s", words.we_wordv[0], strerror(errno));
		_exit(127);
	}
	close(gate[0]);
	c->gate_fd = gate[1];
	wordfree(&words);
	return 0;
}

void kt_command_release(struct kt_command *c)
{
	char go = 'g';

	if (c->gate_fd >= 0) {
		if (write(c->gate_fd, &go, 1) != 1)
			kt_warn("releasing the command: %s", strerror(errno));
		close(c->gate_fd);
		c->gate_fd = -1;
	}
}

void kt_command_kill(pid_t pid)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {     /* up to 1 s to go quietly */
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int kt_command_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}
