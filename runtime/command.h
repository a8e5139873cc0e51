/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --cmd: a command started held before its first instruction, so it can be
 * made a target before it runs. */
#ifndef KT_COMMAND_H
#define KT_COMMAND_H
#include <sys/types.h>

struct kt_command {
	pid_t pid;
	int gate_fd;        /* writing to it lets the child exec */
};

/* Splits cmd like a shell would (no substitutions) and forks a child that
 * waits at the gate. 0, or -1 with a message in err. */
int kt_command_start(struct kt_command *c, const char *cmd, char *err, int errlen);
void kt_command_release(struct kt_command *c);
/* Ends a child that is still running: SIGTERM, then SIGKILL; reaps it. */
void kt_command_kill(pid_t pid);
/* Exit status for keytime-run from a wait status: code, or 128 + signal. */
int kt_command_exit_status(int wstatus);

#endif
