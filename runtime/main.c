/* keytime-run: load the probes, run a Lua script on the event stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "session.h"
#include "command.h"
#include "ksyms.h"
#include "events.h"

static struct kt_session session;

static void on_signal(int sig)
{
	(void)sig;
	session.stop = 1;
	if (session.in_lua)
		kt_lua_interrupt(&session);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
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

int main(int argc, char **argv)
{
	struct kt_options opts;
	struct kt_session *s = &session;
	struct kt_command cmd = { .pid = 0, .gate_fd = -1 };
	char err[512], what[256];

	if (kt_options_parse(&opts, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		return 2;
	}
	if (opts.help) {
		kt_options_usage(stdout);
		return 0;
	}
	if (opts.version) {
		printf("keytime-run %s\n", KEYTIME_VERSION);
		return 0;
	}
	s->opts = &opts;
	s->exit_status = 0;
	if (kt_probes_check_system(err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		return 1;
	}
	if (access(opts.script, R_OK)) {
		fprintf(stderr, "keytime-run: cannot read script %s: %s\n", opts.script, strerror(errno));
		return 1;
	}
	install_signals();
	s->start_ns = kt_now_ns();
	s->mono_to_real_ns = mono_to_real_offset();
	if (opts.duration > 0)
		s->deadline_ns = s->start_ns + (uint64_t)(opts.duration * 1e9);

	if (kt_probes_open(&s->probes, opts.cpu, err, sizeof(err))) {
		fprintf(stderr, "keytime-run: %s\n", err);
		return 1;
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
	if (kt_lua_run_script(s)) {
		s->exit_status = 1;
		goto cleanup;
	}
	if (s->stop)   /* os.exit() or kt.stop() in the main chunk, or a signal */
		goto cleanup;

	if (opts.cmd) {
		if (kt_command_start(&cmd, opts.cmd, err, sizeof(err)) ||
		    kt_target_add(&s->probes, KT_TARGET_TGID, cmd.pid, opts.follow ? KT_TARGET_FOLLOW : 0)) {
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
				describe_targets(&opts, what, sizeof(what)));
	}
	if (opts.cmd)
		kt_command_release(&cmd);

	kt_loop_run(s);
	kt_lua_call_end(s);
	fflush(stdout);
	report_lost(s);

	if (opts.cmd && !s->failed && s->child == 0 && cmd.pid)
		s->exit_status = kt_command_exit_status(s->child_status);
cleanup:
	fflush(stdout);
	if (s->child > 0)
		kt_command_kill(s->child);
	else if (cmd.pid && cmd.gate_fd >= 0)
		kt_command_kill(cmd.pid);
	kt_lua_close(s);
	kt_ksyms_free(s->ksyms);
	kt_probes_close(&s->probes);
	kt_options_free(&opts);
	return s->exit_status;
}
