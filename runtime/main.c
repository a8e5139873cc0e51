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
#include "output.h"
#include "demand.h"
#include "command.h"
#include "ksyms.h"
#include "events.h"
#include "instance.h"
#include "stacks.h"
#include "script_path.h"
#include "trust.h"
#include "repl.h"

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

static int64_t mono_to_real_offset(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000LL + (r.tv_nsec - m.tv_nsec);
}

static bool process_exists(int pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* The targets named on the command line, before the script runs. */
static int apply_cli_targets(struct kt_session *s, char *err, int errlen)
{
	struct kt_options *o = s->opts;
	struct kt_config c;
	__u32 flags = o->follow ? KT_TARGET_FOLLOW : 0;
	int id = o->pid ? o->pid : o->tgid;

	if (kt_config_get(&s->probes, &c))
		goto fail;
	c.myproc = o->myproc;
	if (id) {
		if (!process_exists(id)) {
			snprintf(err, errlen, "no such process: %d", id);
			return -1;
		}
		if (kt_target_add(&s->probes, o->pid ? KT_TARGET_PID : KT_TARGET_TGID, id, flags))
			goto fail;
		c.active = 1;
		s->had_targets = true;
	}
	if (o->all)
		c.active = c.all = 1;
	if (kt_config_set(&s->probes, &c))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot update the filter map: %s", strerror(errno));
	return -1;
}

static const char *describe_targets(const struct kt_options *o, char *buf, size_t len)
{
	const char *follow = o->follow ? " and its descendants" : "";

	if (o->pid)
		snprintf(buf, len, "thread %d%s", o->pid, follow);
	else if (o->tgid)
		snprintf(buf, len, "process %d%s", o->tgid, follow);
	else if (o->all)
		snprintf(buf, len, "every process");
	else if (o->cmd)
		snprintf(buf, len, "command '%s'%s", o->cmd, follow);
	else
		snprintf(buf, len, "the targets the script chose");
	return buf;
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

static void report_lost(struct kt_session *s)
{
	uint64_t by_kind[KT_KIND_MAX] = {0};
	uint64_t total = kt_lost_total(s, by_kind);

	if (!total)
		return;
	fprintf(stderr, "keytime-run: %llu events lost (ring buffer full):", (unsigned long long)total);
	for (unsigned k = 1; k < KT_KIND_MAX; k++)
		if (by_kind[k])
			fprintf(stderr, " %s %llu", kt_kind_table_name(k), (unsigned long long)by_kind[k]);
	fputc('\n', stderr);
}

static void report_untraced(struct kt_session *s)
{
	uint64_t by_reason[KT_UNTRACED_MAX];
	uint64_t total = kt_untraced_total(s, by_reason);

	if (!total)
		return;
	fprintf(stderr, "keytime-run: %llu tasks not fully traced (maps full at %u entries: "
		"raise with --max-targets):", (unsigned long long)total, s->probes.max_targets);
	for (unsigned r = 0; r < KT_UNTRACED_MAX; r++)
		if (by_reason[r])
			fprintf(stderr, " %s %llu", kt_untraced_name(r), (unsigned long long)by_reason[r]);
	fputc('\n', stderr);
}

static void report_handler_errors(struct kt_session *s)
{
	if (!s->handler_errors)
		return;
	fprintf(stderr, "keytime-run: %llu errors in handlers (%llu distinct); tracing went on "
		"(--strict stops at the first)\n", (unsigned long long)s->handler_errors,
		(unsigned long long)s->distinct_errors);
	s->exit_status = 1;
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

/* --replay: the script runs on a recording; no root, no BPF. */
static int replay(struct kt_session *s)
{
	struct kt_probes *p = &s->probes;
	char err[512];

	p->targets_fd = p->config_fd = p->lost_fd = p->stacks_fd = p->events_fd = -1;
	p->offline_config = (struct kt_config){ .active = 1, .cpu_events = s->opts->cpu };
	if (kt_replay_open(s, err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		return 1;
	}
	install_signals();
	if (kt_lua_open(s)) {
		fprintf(stderr, "keytime-run: cannot create the Lua state\n");
		return 1;
	}
	if (!s->opts->unsafe_script)   /* modules too */
		kt_trust_guard_require(s->L, s->opts->script, kt_trust_invoker());
	kt_guard_start(s);
	if (s->opts->script && kt_lua_run_script(s))
		s->exit_status = 1;
	else if (!s->stop && kt_replay_run(s))
		s->exit_status = 1;
	else
		kt_lua_call_end(s);
	fflush(stdout);
	report_lost(s);
	report_handler_errors(s);
	kt_lua_close(s);
	kt_stacks_free(s->stacks);
	kt_options_free(s->opts);
	return s->exit_status;
}

/* The run, from the command line to the exit status. */
static int keytime_run(int argc, char **argv, struct kt_options *opts)
{
	struct kt_session *s = &session;
	struct kt_command cmd = { .pid = 0, .gate_fd = -1 };
	char err[4608], what[256], script[4096];

	if (kt_options_parse(opts, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		return 2;
	}
	kt_output_setup();
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
	/* At once: a background job's SIGINT is ignored until we handle it, so
	 * a Ctrl-C or kill -INT while the script is checked or the probes load
	 * would be lost (a replay installs them once its file is read). */
	if (!opts->replay)
		install_signals();
	/* Privileges first: a user who cannot trace hears that, not about the script. */
	if (!opts->replay && kt_probes_check_system(err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		return 1;
	}
	if (opts->script) {   /* none: the REPL alone (-i) */
		if (kt_script_find(search_path(), opts->script, script, sizeof(script), err, sizeof(err))) {
			fprintf(stderr, "keytime-run: %s\n", err);
			return 1;
		}
		opts->script = script;
	}
	if (opts->script && !opts->unsafe_script && script_untrusted(opts->script, err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		return 1;
	}
	s->opts = opts;
	s->interactive = opts->interactive;
	s->exit_status = 0;
	if (opts->replay)
		return replay(s);
	s->start_ns = kt_now_ns();
	s->mono_to_real_ns = mono_to_real_offset();
	if (opts->duration > 0)
		s->deadline_ns = s->start_ns + (uint64_t)(opts->duration * 1e9);

	if (kt_probes_open(&s->probes, opts->cpu, opts->max_targets, err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		return 1;
	}
	/* keytime-ctl finds us by our pins; a killed tracer's are cleaned here. */
	kt_instance_clean_stale();
	if (kt_instance_pin(&s->probes, err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		s->exit_status = 1;
		goto cleanup;
	}
	if (apply_cli_targets(s, err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		s->exit_status = 1;
		goto cleanup;
	}
	if (kt_lua_open(s)) {
		fprintf(stderr, "keytime-run: cannot create the Lua state\n");
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
	if (kt_demand_script_loaded(s))
		fprintf(stderr, "keytime-run: cannot detach the sched_switch probe\n");
	/* The kernel's symbols before the first event, and before the -c
	 * command is made a target: reading /proc/kallsyms takes a while (0.5 s
	 * on a slow machine), which would hold up the first stack's event
	 * while the targets run on, or keep the command at its gate, traced. */
	{
		struct kt_config c = {0};
		if (kt_config_get(&s->probes, &c) == 0 && c.stacks && !s->ksyms)
			s->ksyms = kt_ksyms_load();
	}

	if (opts->cmd) {
		if (kt_command_start(&cmd, opts->cmd, err, sizeof(err)) ||
		    kt_target_add(&s->probes, KT_TARGET_TGID, cmd.pid, opts->follow ? KT_TARGET_FOLLOW : 0)) {
			fprintf(stderr, "keytime-run: %s\n", cmd.pid ? strerror(errno) : err);
			s->exit_status = 1;
			goto cleanup;
		}
		struct kt_config c;
		if (kt_config_get(&s->probes, &c) == 0) {
			c.active = 1;
			kt_config_set(&s->probes, &c);
		}
		s->child = cmd.pid;
		s->had_targets = true;
	}
	{
		struct kt_config c = {0};
		kt_config_get(&s->probes, &c);
		if (!c.active)
			fprintf(stderr, "keytime-run: attached, no target yet: collecting nothing "
				"until the script or keytime-ctl sets one (--pid, --tgid, --all, --cmd)\n");
		else
			fprintf(stderr, "keytime-run: attached; tracing %s\n",
				describe_targets(opts, what, sizeof(what)));
	}
	if (opts->record &&
	    kt_record_start(s, opts->record, describe_targets(opts, what, sizeof(what)), err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		s->exit_status = 1;
		goto cleanup;
	}
	if (opts->cmd)
		kt_command_release(&cmd);

	if (opts->interactive)
		kt_repl_open(s);
	kt_loop_run(s);
	s->end_ns = kt_now_ns();
	if (kt_record_finish(s) && !s->exit_status)
		s->exit_status = 1;
	if (opts->interactive)
		kt_repl_close(s);
	kt_lua_call_end(s);
	fflush(stdout);
	report_lost(s);
	report_untraced(s);
	report_handler_errors(s);

	if (opts->cmd && !opts->interactive && !s->failed && s->child == 0 && cmd.pid)
		s->exit_status = s->handler_errors ? 1 : kt_command_exit_status(s->child_status);
cleanup:
	fflush(stdout);
	if (s->child > 0)
		kt_command_kill(s->child);
	else if (cmd.pid && cmd.gate_fd >= 0)
		kt_command_kill(cmd.pid);
	kt_guard_stop();
	kt_lua_close(s);
	kt_stacks_free(s->stacks);
	kt_ksyms_free(s->ksyms);
	kt_instance_unpin();
	kt_probes_close(&s->probes);
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
