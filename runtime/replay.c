// SPDX-License-Identifier: GPL-2.0-or-later
/* The replay source (source.h), --replay FILE: the script runs on a
 * recording exactly as it ran live: the same records, in the same order,
 * through the same dispatch, with time (kt.now(), timers, --duration)
 * driven by the recorded clock, and the lost counts and stacks the
 * recording holds. No root, no BPF: the targets were chosen live. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include "cgroups.h"
#include "event_fields.h"
#include "session.h"
#include "source.h"
#include "stacks.h"
#include "ustacks.h"
#include "trace_format.h"
#include "handlers.h"
#include "timers.h"
#include "warn.h"

static struct {
	struct kt_trace_reader *reader;   /* read as the replay goes */
	uint64_t now;                  /* the recorded clock */
	uint64_t lost[KT_KIND_MAX];    /* lost counts the recording ends with */
	struct kt_config config;       /* kt.filter's switches: no map */
} replay;

/* Advances the recorded clock to t, firing the timers due on the way. */
static void advance(struct kt_session *s, uint64_t t)
{
	uint64_t due;

	while (!s->stop && (due = kt_lua_next_timer(s)) <= t &&
	       (!s->deadline_ns || due < s->deadline_ns)) {
		if (due > replay.now)
			replay.now = due;
		kt_lua_run_timers(s, replay.now);
	}
	if (s->deadline_ns && t >= s->deadline_ns) {
		replay.now = s->deadline_ns;
		s->stop = 1;
		return;
	}
	if (t > replay.now)
		replay.now = t;
}

static int on_info(void *arg, const char *key, const char *value)
{
	struct kt_session *s = arg;

	if (!strcmp(key, "mono_to_real_ns"))
		s->mono_to_real_ns = strtoll(value, NULL, 10);
	else if (!strcmp(key, "start_ns"))
		replay.now = s->start_ns = strtoull(value, NULL, 10);
	else if (!strcmp(key, "script_start_ns"))
		replay.now = s->script_start_ns = strtoull(value, NULL, 10);
	return 0;
}

static int on_stack(void *arg, int32_t id, const char *const *frames, int n)
{
	if (id & KT_TRACE_USTACK)
		kt_ustacks_add_recorded(arg, id & ~KT_TRACE_USTACK, frames, n);
	else
		kt_stacks_add_recorded(arg, id, frames, n);
	return 0;
}

/* The path a cgroup had on the recording host. */
static int on_cgroup(void *arg, uint64_t id, const char *path)
{
	kt_cgroup_remember(id, path);
	return 0;
}

static int on_event(void *arg, const void *rec, size_t size)
{
	struct kt_session *s = arg;
	const struct kt_header *h = rec;
	const struct kt_options *o = s->opts;

	advance(s, h->time);
	if (s->stop)
		return 1;
	if ((o->pid && h->pid != (__u32)o->pid) || (o->tgid && h->tgid != (__u32)o->tgid))
		return 0;
	s->events[h->kind]++;
	kt_lua_dispatch(s, rec, size);
	return s->stop || s->failed;
}

static int on_end(void *arg, const struct kt_trace_end *end)
{
	struct kt_session *s = arg;

	advance(s, end->end_ns);
	s->end_ns = end->end_ns;
	memcpy(replay.lost, end->lost, sizeof(replay.lost));
	return 0;
}

static int no_check(char *err, size_t errlen)
{
	return 0;
}

static int open_recording(struct kt_session *s, char *err, size_t errlen)
{
	struct kt_trace_callbacks cb = { .info = on_info, .arg = s };
	char perr[256];
	FILE *f;

	replay.config = (struct kt_config){ .active = 1, .cpu_events = s->opts->cpu };
	if (!(f = fopen(s->opts->replay, "rbe"))) {
		snprintf(err, errlen, "cannot read %s: %s", s->opts->replay, strerror(errno));
		return -1;
	}
	if (!(replay.reader = kt_trace_open(f, &cb, perr, sizeof(perr)))) {
		snprintf(err, errlen, "%s: %s", s->opts->replay, perr);
		return -1;
	}
	return 0;
}

static int start(struct kt_session *s, char *err, size_t errlen)
{
	return 0;
}

static int run(struct kt_session *s)
{
	struct kt_trace_callbacks cb = { on_info, on_event, on_stack, on_end, s, on_cgroup };
	char perr[256];
	int r;

	kt_fields_set_cgroup_path(kt_cgroup_path_known);   /* never this host's */
	r = kt_trace_read(replay.reader, &cb, perr, sizeof(perr));
	kt_trace_close(replay.reader);
	replay.reader = NULL;
	fflush(stdout);
	if (r < 0) {
		kt_warn("%s: %s", s->opts->replay, perr);
		return -1;
	}
	return 0;
}

static void close_recording(struct kt_session *s)
{
	kt_trace_close(replay.reader);
	replay.reader = NULL;
}

static uint64_t now(struct kt_session *s)
{
	return replay.now;
}

static uint64_t lost(struct kt_session *s, uint64_t by_kind[KT_KIND_MAX])
{
	uint64_t total = 0;

	for (int k = 1; k < KT_KIND_MAX; k++) {
		if (by_kind)
			by_kind[k] = replay.lost[k];
		total += replay.lost[k];
	}
	return total;
}

static uint64_t untraced(struct kt_session *s, uint64_t by_reason[KT_UNTRACED_MAX])
{
	return 0;   /* not recorded */
}

/* Every event the recording has; the recording kernel's shapes are not known. */
static bool features(struct kt_session *s, struct kt_features *f)
{
	f->cpu_events = f->exec_calls = f->wakeups = f->ustacks = true;
	return false;
}

static int config_get(struct kt_session *s, struct kt_config *c)
{
	*c = replay.config;
	return 0;
}

static int config_set(struct kt_session *s, const struct kt_config *c)
{
	replay.config = *c;
	return 0;
}

static int set_cpu_events(struct kt_session *s, bool on)
{
	replay.config.cpu_events = on;
	return 0;
}

static int set_exec_calls(struct kt_session *s, bool on)
{
	s->probes.exec_calls = on;   /* only the switch: no probes */
	return 0;
}

static int set_wake(struct kt_session *s, int events, int runq)
{
	if (events >= 0)
		replay.config.wakeups = events;
	if (runq >= 0)
		replay.config.runq = runq;
	return 0;
}

static int target_add(struct kt_session *s, __u32 type, __u32 id, __u32 flags)
{
	return 0;
}

static int target_remove(struct kt_session *s, __u32 type, __u32 id)
{
	errno = ENOENT;
	return -1;
}

static void targets_each(struct kt_session *s,
			 int (*fn)(const struct kt_target_key *, const struct kt_target *, void *),
			 void *arg)
{
}

static int targets_clear(struct kt_session *s)
{
	return 0;
}

const struct kt_source kt_replay_source = {
	.recorded = true,
	.check = no_check,
	.open = open_recording,
	.start = start,
	.run = run,
	.close = close_recording,
	.now = now,
	.lost = lost,
	.untraced = untraced,
	.stack = kt_stacks_recorded,
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
