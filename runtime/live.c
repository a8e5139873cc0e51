// SPDX-License-Identifier: GPL-2.0-or-later
/* The live source (source.h): events from the probes' ring buffer, the
 * clock CLOCK_MONOTONIC, lost and untraced counts from the probes' per-CPU
 * counters, stacks from their stack map, targets in their filter map. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "session.h"
#include "source.h"
#include "clock.h"
#include "demand.h"
#include "instance.h"
#include "ksyms.h"
#include "procfs.h"
#include "stacks.h"
#include "record.h"
#include "loop.h"
#include "warn.h"
#include "attr_targets.h"
#include "cgroups.h"
#include "event_fields.h"

static int check(char *err, size_t errlen)
{
	return kt_probes_check_system(err, (int)errlen);
}

static uint64_t now(struct kt_session *s)
{
	return kt_mono_ns();
}

static int config_get(struct kt_session *s, struct kt_config *c)
{
	return kt_config_get(&s->probes, c);
}

static int config_set(struct kt_session *s, const struct kt_config *c)
{
	return kt_config_set(&s->probes, c);
}

static int target_add(struct kt_session *s, __u32 type, __u32 id, __u32 flags)
{
	if (!kt_process_exists(id)) {
		errno = ESRCH;
		return -1;
	}
	return kt_target_add(&s->probes, type, id, flags);
}

/* --cgroup, --unit, --uid, --comm, resolved before anything is loaded. */
static int resolve_cli_attrs(const struct kt_options *o, struct kt_attr_key *keys,
			     char *err, size_t errlen)
{
	for (int i = 0; i < o->nattrs; i++) {
		if (kt_attr_parse(o->attrs[i].kind, o->attrs[i].text, &keys[i], err, errlen))
			return -1;
	}
	return 0;
}

/* The targets named on the command line, before the script runs. */
static int apply_cli_targets(struct kt_session *s, const struct kt_attr_key *keys,
			     char *err, size_t errlen)
{
	struct kt_options *o = s->opts;
	struct kt_config c;
	__u32 flags = o->follow ? KT_TARGET_FOLLOW : 0;
	int id = o->pid ? o->pid : o->tgid;

	if (kt_config_get(&s->probes, &c))
		goto fail;
	c.myproc = o->myproc;
	for (int i = 0; i < o->nattrs; i++) {
		if (kt_attr_add(&s->probes, &keys[i], flags))
			goto fail;
		c.active = 1;
		s->had_targets = true;
	}
	if (id) {
		if (target_add(s, o->pid ? KT_TARGET_PID : KT_TARGET_TGID, id, flags)) {
			if (errno != ESRCH)
				goto fail;
			snprintf(err, errlen, "no such process: %d", id);
			return -1;
		}
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

static int open_probes(struct kt_session *s, char *err, size_t errlen)
{
	struct kt_attr_key keys[KT_MAX_ATTR_OPTIONS];

	if (resolve_cli_attrs(s->opts, keys, err, errlen))
		return -1;
	kt_fields_set_cgroup_path(kt_cgroup_path);   /* e.cgroup, e.container_id */
	s->start_ns = kt_mono_ns();
	s->mono_to_real_ns = kt_mono_to_real_ns();
	if (kt_probes_open(&s->probes, s->opts->cpu, s->opts->max_targets, err, (int)errlen))
		return -1;
	/* keytime-ctl finds us by our pins; a killed tracer's are cleaned here. */
	kt_instance_clean_stale();
	if (kt_instance_pin(&s->probes, err, (int)errlen))
		return -1;
	return apply_cli_targets(s, keys, err, errlen);
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
	else if (o->nattrs)
		snprintf(buf, len, "%s %s%s%s", o->attrs[0].kind, o->attrs[0].text,
			 o->nattrs > 1 ? " and more" : "", follow);
	else
		snprintf(buf, len, "the targets the script chose");
	return buf;
}

/* The -c command, held at its gate, made a target. */
static int start_command(struct kt_session *s, char *err, size_t errlen)
{
	struct kt_command *cmd = &s->command;
	struct kt_config c;

	if (kt_command_start(cmd, s->opts->cmd, err, (int)errlen) ||
	    kt_target_add(&s->probes, KT_TARGET_TGID, cmd->pid, s->opts->follow ? KT_TARGET_FOLLOW : 0)) {
		if (cmd->pid)
			snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (kt_config_get(&s->probes, &c) == 0) {
		c.active = 1;
		kt_config_set(&s->probes, &c);
	}
	s->child = cmd->pid;
	s->had_targets = true;
	return 0;
}

static int start(struct kt_session *s, char *err, size_t errlen)
{
	struct kt_options *opts = s->opts;
	struct kt_config c = {0};
	char what[256];

	if (kt_demand_script_loaded(s))
		kt_warn("cannot detach the sched_switch probe");
	/* The kernel's symbols before the first event, and before the -c
	 * command is made a target: reading /proc/kallsyms takes a while
	 * (bench/RESULTS.md), which would hold up the first stack's event
	 * while the targets run on, or keep the command at its gate, traced. */
	if (kt_config_get(&s->probes, &c) == 0 && c.stacks && !s->ksyms)
		s->ksyms = kt_ksyms_load();
	if (opts->cmd && start_command(s, err, errlen))
		return -1;
	c = (struct kt_config){0};
	kt_config_get(&s->probes, &c);
	if (opts->quiet)
		;
	else if (!c.active)
		kt_warn("attached, no target yet: collecting nothing "
			"until the script or keytime-ctl sets one (--pid, --tgid, --all, --cmd)");
	else
		kt_warn("attached; tracing %s", describe_targets(opts, what, sizeof(what)));
	if (opts->record &&
	    kt_record_start(s, opts->record, describe_targets(opts, what, sizeof(what)), err, errlen))
		return -1;
	if (opts->cmd)
		kt_command_release(&s->command);
	return 0;
}

static int run(struct kt_session *s)
{
	kt_loop_run(s);
	return 0;
}

static void close_probes(struct kt_session *s)
{
	kt_instance_unpin();
	kt_probes_close(&s->probes);
}

/* A per-CPU counter map's keys first..n-1, summed over CPUs, each into
 * out[key] when out is given; the total. */
static uint64_t percpu_counters(int fd, __u32 first, __u32 n, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t total = 0, *vals;

	if (ncpu <= 0 || !(vals = calloc(ncpu, sizeof(*vals))))
		return 0;
	for (__u32 k = first; k < n; k++) {
		uint64_t sum = 0;
		if (bpf_map_lookup_elem(fd, &k, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				sum += vals[c];
		if (out)
			out[k] = sum;
		total += sum;
	}
	free(vals);
	return total;
}

static uint64_t lost(struct kt_session *s, uint64_t by_kind[KT_KIND_MAX])
{
	return percpu_counters(s->probes.lost_fd, 1, KT_KIND_MAX, by_kind);
}

static uint64_t untraced(struct kt_session *s, uint64_t by_reason[KT_UNTRACED_MAX])
{
	if (!s->probes.skel)
		return 0;
	return percpu_counters(s->probes.untraced_fd, 0, KT_UNTRACED_MAX, by_reason);
}

static bool features(struct kt_session *s, struct kt_features *f)
{
	*f = s->probes.features;
	return true;
}

static int set_cpu_events(struct kt_session *s, bool on)
{
	return kt_probes_set_cpu_events(&s->probes, on);
}

static int set_exec_calls(struct kt_session *s, bool on)
{
	return kt_probes_set_exec_calls(&s->probes, on);
}

static int set_wake(struct kt_session *s, int events, int runq)
{
	return kt_probes_set_wake(&s->probes, events, runq);
}

static int target_remove(struct kt_session *s, __u32 type, __u32 id)
{
	return kt_target_remove(&s->probes, type, id);
}

static void targets_each(struct kt_session *s,
			 int (*fn)(const struct kt_target_key *, const struct kt_target *, void *),
			 void *arg)
{
	kt_targets_each(&s->probes, fn, arg);
}

static int targets_clear(struct kt_session *s)
{
	return kt_targets_clear(&s->probes);
}

const struct kt_source kt_live_source = {
	.recorded = false,
	.check = check,
	.open = open_probes,
	.start = start,
	.run = run,
	.close = close_probes,
	.now = now,
	.lost = lost,
	.untraced = untraced,
	.stack = kt_stacks_symbolize,
	.features = features,
	.config_get = config_get,
	.config_set = config_set,
	.set_cpu_events = set_cpu_events,
	.set_exec_calls = set_exec_calls,
	.set_wake = set_wake,
	.target_add = target_add,
	.target_remove = target_remove,
	.targets_each = targets_each,
	.targets_clear = targets_clear,
};
