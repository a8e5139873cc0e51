// SPDX-License-Identifier: GPL-2.0-or-later
/* Names and small decoders for event records. */
#include <string.h>
#include <signal.h>
#include "events.h"

/* The one table of event kinds: kt.on's names, e.name, the REPL's :help. */
static const struct {
	const char *name;
	const char *table_name;
	size_t size;
	const char *help;
} kinds[KT_KIND_MAX] = {
	[KT_EXEC_ENTER]  = { "exec_enter",  "exec_enter",    sizeof(struct kt_exec_enter),
			     "a thread calls execve/execveat (kt.filter.exec_calls)" },
	[KT_EXEC_EXIT]   = { "exec_exit",   "exec_exit",     sizeof(struct kt_exec_exit),
			     "the same thread, when the call returns" },
	[KT_EXIT]        = { "exit",        "exit",          sizeof(struct kt_exit),
			     "a thread ended" },
	[KT_FORK]        = { "fork",        "forkP_enter",   sizeof(struct kt_child),
			     "a thread made a process (fork)" },
	[KT_VFORK]       = { "vfork",       "vforkP_enter",  sizeof(struct kt_child),
			     "a thread made a process with CLONE_VFORK (vfork, posix_spawn)" },
	[KT_THREAD]      = { "thread",      "createT_enter", sizeof(struct kt_child),
			     "a thread made a thread" },
	[KT_FORK_EXIT]   = { "fork_exit",   "forkP_exit",    sizeof(struct kt_child_exit),
			     "a fork child ended: told to its parent" },
	[KT_VFORK_EXIT]  = { "vfork_exit",  "vforkP_exit",   sizeof(struct kt_child_exit),
			     "a vfork child ended: told to its parent" },
	[KT_THREAD_EXIT] = { "thread_exit", "createT_exit",  sizeof(struct kt_child_exit),
			     "a thread ended: told to its creator" },
	[KT_ONCPU]       = { "oncpu",       "onCPU",         sizeof(struct kt_switch),
			     "a target thread switched in (kt.filter.cpu)" },
	[KT_OFFCPU]      = { "offcpu",      "offCPU",        sizeof(struct kt_switch),
			     "a target thread switched out (kt.filter.cpu)" },
	[KT_EXEC]        = { "exec",        "exec",          sizeof(struct kt_exec),
			     "a process after a successful execve/execveat" },
	[KT_WAKEUP]      = { "wakeup",      "wakeup",        sizeof(struct kt_wakeup),
			     "a thread woke another; either is a target (kt.on(\"wakeup\"))" },
};

const char *kt_kind_name(unsigned kind)
{
	return kind > 0 && kind < KT_KIND_MAX ? kinds[kind].name : NULL;
}

const char *kt_kind_table_name(unsigned kind)
{
	return kind > 0 && kind < KT_KIND_MAX ? kinds[kind].table_name : NULL;
}

unsigned kt_kind_from_name(const char *name)
{
	for (unsigned k = 1; k < KT_KIND_MAX; k++)
		if (!strcmp(name, kinds[k].name) || !strcmp(name, kinds[k].table_name))
			return k;
	return 0;
}

const char *kt_kind_help(unsigned kind)
{
	return kind > 0 && kind < KT_KIND_MAX ? kinds[kind].help : NULL;
}

size_t kt_kind_min_size(unsigned kind)
{
	return kind > 0 && kind < KT_KIND_MAX ? kinds[kind].size : 0;
}

bool kt_record_valid(const void *rec, size_t size)
{
	const struct kt_header *h = rec;

	return size >= sizeof(*h) && h->kind > 0 && h->kind < KT_KIND_MAX &&
	       size >= kt_kind_min_size(h->kind);
}

const char *kt_untraced_name(unsigned reason)
{
	static const char *const names[KT_UNTRACED_MAX] = {
		[KT_UNTRACED_FILTER_FULL] = "filter_full",
		[KT_UNTRACED_FILTER_ERROR] = "filter_error",
		[KT_UNTRACED_CHILDREN_FULL] = "children_full",
	};
	return reason < KT_UNTRACED_MAX ? names[reason] : "?";
}

/* The kernel's task state bits (include/linux/sched.h). */
#define TASK_INTERRUPTIBLE   0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_STOPPED         0x0004
#define TASK_TRACED          0x0008
#define EXIT_DEAD            0x0010
#define EXIT_ZOMBIE          0x0020
#define TASK_PARKED          0x0040
#define TASK_DEAD            0x0080
#define TASK_NOLOAD          0x0400

const char *kt_state_letter(unsigned s)
{
	if (s == 0)
		return "R";
	if (s & TASK_INTERRUPTIBLE)
		return "S";
	if ((s & TASK_UNINTERRUPTIBLE) && (s & TASK_NOLOAD))
		return "I";
	if (s & TASK_UNINTERRUPTIBLE)
		return "D";
	if (s & TASK_STOPPED)
		return "T";
	if (s & TASK_TRACED)
		return "t";
	if (s & (EXIT_DEAD | EXIT_ZOMBIE | TASK_DEAD))
		return "X";
	if (s & TASK_PARKED)
		return "P";
	return "?";
}

const char *kt_state_name(unsigned s)
{
	switch (kt_state_letter(s)[0]) {
	case 'R': return "runnable";
	case 'S': return "sleeping";
	case 'D': return "uninterruptible";
	case 'I': return "idle";
	case 'T': return "stopped";
	case 't': return "traced";
	case 'X': return "dead";
	case 'P': return "parked";
	default:  return "unknown";
	}
}

const char *kt_signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
		[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
		[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",
		[SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
		[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};
	if (sig > 0 && sig < (int)(sizeof(names) / sizeof(names[0])))
		return names[sig];
	return NULL;
}

const char *kt_exec_arg(const struct kt_exec_enter *e, unsigned i)
{
	if (i >= e->argc || i >= KT_ARGV_MAX)
		return NULL;
	return &e->args[i * KT_ARG_LEN];
}

int kt_exec_split_args(const struct kt_exec *e, const char **argv, int max)
{
	size_t len = e->args_len < KT_ARGS_BUF ? e->args_len : KT_ARGS_BUF;   /* never trust a length */
	size_t at = 0;
	int n = 0;

	while (at < len && n < max) {
		argv[n++] = &e->args[at];
		at += strnlen(&e->args[at], len - at) + 1;
	}
	return n;
}

size_t kt_exec_arg_len(const struct kt_exec *e, const char *arg)
{
	size_t len = e->args_len < KT_ARGS_BUF ? e->args_len : KT_ARGS_BUF;

	return strnlen(arg, len - (size_t)(arg - e->args));
}
