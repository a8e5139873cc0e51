/* --replay FILE: run the script on a recording exactly as it ran live: the
 * same records, in the same order, through the same dispatch, with time
 * (kt.now(), timers, --duration) driven by the recorded clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include "session.h"
#include "stacks.h"
#include "trace_format.h"

static uint64_t virtual_now;   /* the recorded clock, while replaying */

uint64_t kt_replay_clock(void)
{
	return virtual_now;
}

/* Advances the recorded clock to t, firing the timers due on the way. */
static void advance(struct kt_session *s, uint64_t t)
{
	uint64_t due;

	while (!s->stop && (due = kt_lua_next_timer(s)) <= t &&
	       (!s->deadline_ns || due < s->deadline_ns)) {
		if (due > virtual_now)
			virtual_now = due;
		kt_lua_run_timers(s, virtual_now);
	}
	if (s->deadline_ns && t >= s->deadline_ns) {
		virtual_now = s->deadline_ns;
		s->stop = 1;
		return;
	}
	if (t > virtual_now)
		virtual_now = t;
}

static int on_info(void *arg, const char *key, const char *value)
{
	struct kt_session *s = arg;

	if (!strcmp(key, "mono_to_real_ns"))
		s->mono_to_real_ns = strtoll(value, NULL, 10);
	else if (!strcmp(key, "start_ns"))
		virtual_now = s->start_ns = strtoull(value, NULL, 10);
	else if (!strcmp(key, "script_start_ns"))
		virtual_now = s->script_start_ns = strtoull(value, NULL, 10);
	return 0;
}

static int on_stack(void *arg, int32_t id, const char *const *frames, int n)
{
	kt_stacks_add_recorded(arg, id, frames, n);
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
	memcpy(s->replay_lost, end->lost, sizeof(s->replay_lost));
	return 0;
}

/* Only the header, to set the clock before the script's main chunk runs. */
static int stop_at_first_event(void *arg, const void *rec, size_t size)
{
	return 1;
}

static uint8_t *load(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	if (!f || fstat(fileno(f), &st)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf || fread(buf, 1, st.st_size, f) != (size_t)st.st_size) {
		snprintf(err, errlen, "cannot read %s: %s", path, buf ? strerror(errno) : "out of memory");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = st.st_size;
	return buf;
}

int kt_replay_open(struct kt_session *s, char *err, size_t errlen)
{
	struct kt_trace_callbacks cb = { .info = on_info, .event = stop_at_first_event, .arg = s };
	char perr[256];

	s->replaying = true;
	if (!(s->replay_buf = load(s->opts->replay, &s->replay_len, err, errlen)))
		return -1;
	if (kt_trace_parse(s->replay_buf, s->replay_len, &cb, perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "%s: %s", s->opts->replay, perr);
		return -1;
	}
	return 0;
}

int kt_replay_run(struct kt_session *s)
{
	struct kt_trace_callbacks cb = { on_info, on_event, on_stack, on_end, s };
	char perr[256];
	int r;

	if (s->opts->duration > 0)
		s->deadline_ns = s->start_ns + (uint64_t)(s->opts->duration * 1e9);
	r = kt_trace_parse(s->replay_buf, s->replay_len, &cb, perr, sizeof(perr));
	free(s->replay_buf);
	s->replay_buf = NULL;
	fflush(stdout);
	if (r < 0) {
		fprintf(stderr, "keytime-run: %s: %s\n", s->opts->replay, perr);
		return -1;
	}
	return 0;
}
