// SPDX-License-Identifier: GPL-2.0-or-later
/* keytime-run: load the probes, run a Lua script on the event stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include "session.h"
#include "source.h"
#include "lua_state.h"
#include "lua_call.h"
#include "handlers.h"
#include "guard.h"
#include "record.h"
#include "stats.h"
#include "output.h"
#include "demand.h"
#include "command.h"
#include "ksyms.h"
#include "stacks.h"
#include "ustacks.h"
#include "script_path.h"
#include "trust.h"
#include "repl.h"
#include "warn.h"
#include "metrics_serve.h"

static struct kt_session session;

static void on_signal(int sig)
{
	if (sig == SIGINT && session.interactive)
		session.interrupted = 1;   /* the REPL: back to the prompt */
	else
		session.stop = 1;
	if (session.in_lua) {
		/* A script busy when told to stop may be stuck: it gets no more
		 * events, or the final drain would hand it the next one. */
		if (session.stop)
			session.stopped_in_lua = 1;
		kt_lua_interrupt(&session);
	}
}

/* SIGUSR1 (keytime-ctl changed the policy) and SIGCHLD (the -c command
 * ended) only wake the event loop from its wait, which they interrupt; it
 * then looks. */
static void on_wake_signal(int sig)
{
	(void)sig;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction wake = { .sa_handler = on_wake_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&wake.sa_mask);
	wake.sa_flags = SA_RESTART;   /* a read or write goes on; a wait ends */
	sigaction(SIGUSR1, &wake, NULL);
	sigaction(SIGCHLD, &wake, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Where scripts named without a path are looked up (script_path.c). */
static const struct kt_search_path *search_path(void)
{
	static struct kt_search_path sp;
	char exe_dir[4096];

	if (!sp.n)
		kt_search_path_init(&sp, getenv("KEYTIME_PATH"), kt_exe_dir(exe_dir, sizeof(exe_dir)),
				    kt_datadir());
	return &sp;
}

/* A root tool must not run code that other users can change (trust.h). */
static bool script_untrusted(const char *path, char *err, size_t errlen)
{
	size_t used = (size_t)snprintf(err, errlen, "refusing to run %s: ", path);

	if (used >= errlen || !kt_trust_file(path, kt_trust_invoker(), err + used, errlen - used))
		return used >= errlen;
	used = strlen(err);
	snprintf(err + used, errlen - used, "; --unsafe-script runs it anyway");
	return true;
}

/* The run, from the command line to the exit status: the same for live
 * events and a recording, which differ only in their source (source.h). */
static int keytime_run(int argc, char **argv, struct kt_options *opts)
{
	struct kt_session *s = &session;
	char err[4608], script[4096];
	bool read_to_end;

	if (kt_options_parse(opts, argc, argv, err, sizeof(err))) {
		kt_warn("%s", err);
		return 2;
	}
	/* A closed stdin would go to the first file opened, which the REPL
	 * would then read: it gets /dev/null (no input) instead. */
	if (fcntl(STDIN_FILENO, F_GETFD) < 0)
		open("/dev/null", O_RDONLY);
	if (opts->help) {
		kt_options_usage(stdout);
		return 0;
	}
	if (opts->version) {
		printf("keytime-run %s\n", KEYTIME_VERSION);
		return 0;
	}
	if (opts->list_scripts)
		return kt_script_list(search_path(), stdout) > 0 ? 0 : 1;
	s->source = opts->replay ? &kt_replay_source : &kt_live_source;
	/* At once: a background job's SIGINT is ignored until we handle it, so
	 * a Ctrl-C or kill -INT while the script is checked or the probes load
	 * would be lost. */
	install_signals();
	/* Privileges first: a user who cannot trace hears that, not about the script. */
	if (s->source->check(err, sizeof(err))) {
		kt_warn("%s", err);
		return 1;
	}
	if (opts->script) {   /* none: the REPL alone (-i) */
		if (kt_script_find(search_path(), opts->script, script, sizeof(script), err, sizeof(err))) {
			kt_warn("%s", err);
			return 1;
		}
		opts->script = script;
	}
	if (opts->script && !opts->unsafe_script && script_untrusted(opts->script, err, sizeof(err))) {
		kt_warn("%s", err);
		return 1;
	}
	if (kt_options_open_output(opts, err, sizeof(err))) {
		kt_warn("%s", err);
		return 1;
	}
	kt_output_setup();   /* stdout, or -o's file: before anything is written */
	kt_probes_set_verbosity(opts->verbose);
	s->opts = opts;
	s->interactive = opts->interactive;
	s->exit_status = 0;
	s->command = (struct kt_command){ .pid = 0, .gate_fd = -1 };

	if (s->source->open(s, err, sizeof(err))) {
		kt_warn("%s", err);
		s->exit_status = 1;
		goto cleanup;
	}
	if (kt_lua_open(s)) {
		kt_warn("cannot create the Lua state");
		s->exit_status = 1;
		goto cleanup;
	}
	if (opts->metrics && kt_metrics_serve(s, opts->metrics, 1, err, sizeof(err))) {
		kt_warn("%s", err);
		s->exit_status = 1;
		goto cleanup;
	}
	if (!opts->unsafe_script)   /* modules too */
		kt_trust_guard_require(s->L, opts->script, kt_trust_invoker());
	kt_guard_start(s);
	if (opts->script && kt_lua_run_script(s)) {
		s->exit_status = 1;
		goto cleanup;
	}
	if (s->stop)   /* os.exit() or kt.stop() in the main chunk, or a signal */
		goto cleanup;
	if (s->source->start(s, err, sizeof(err))) {
		kt_warn("%s", err);
		s->exit_status = 1;
		goto cleanup;
	}
	/* -t counts from the moment tracing is whole (every probe attached,
	 * the script loaded), not from the probes' load, which a slow machine
	 * can make longer than -t itself; a replay counts from its recording's start. */
	if (opts->duration > 0)
		s->deadline_ns = (opts->replay ? s->start_ns : kt_now_ns(s)) +
				 (uint64_t)(opts->duration * 1e9);

	if (opts->interactive)
		kt_repl_open(s);
	read_to_end = s->source->run(s) == 0;
	if (!s->end_ns)   /* a recording has its own */
		s->end_ns = kt_now_ns(s);
	if (kt_record_finish(s) && !s->exit_status)
		s->exit_status = 1;
	if (opts->interactive)
		kt_repl_close(s);
	if (read_to_end)
		kt_lua_call_end(s);
	else
		s->exit_status = 1;
	fflush(stdout);
	kt_stats_report(s);

	if (opts->cmd && !opts->interactive && !s->failed && s->child == 0 && s->command.pid)
		s->exit_status = s->handler_errors ? 1 : kt_command_exit_status(s->child_status);
cleanup:
	fflush(stdout);
	if (s->child > 0)
		kt_command_kill(s->child);
	else if (s->command.pid && s->command.gate_fd >= 0)
		kt_command_kill(s->command.pid);
	kt_guard_stop();
	kt_lua_close(s);
	kt_metrics_close(s);
	s->source->close(s);
	kt_stacks_free(s->stacks);
	kt_ustacks_free(s->ustacks);
	kt_ksyms_free(s->ksyms);
	kt_options_free(opts);
	return s->exit_status;
}

int main(int argc, char **argv)
{
	struct kt_options opts;
	int status = keytime_run(argc, argv, &opts);

	kt_options_free(&opts);   /* every way out of the run comes back here */
	return status;
}
