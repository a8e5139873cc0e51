// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hostpath.c - the host's side of the event path alone, no kernel: a
 * synthetic producer hands records to kt_lua_dispatch() as the ring-buffer
 * callback does, and reports events per second through a Lua script.
 *
 * Usage: hostpath SCRIPT [EVENTS] [-- SCRIPT ARGS]
 * The records are those of the pingpong workload: offCPU and onCPU of two
 * threads of one process, alternating. Linked with keytime-run's objects,
 * so it measures the code keytime-run runs (bench/run.sh builds it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "session.h"
#include "source.h"
#include "clock.h"
#include "lua_state.h"
#include "guard.h"
#include "handlers.h"
#include "events.h"
#include "output.h"

#define RING 1024   /* distinct records, reused in turn */

static void make_records(struct kt_switch *recs, int n, uint64_t t0)
{
	for (int i = 0; i < n; i++) {
		struct kt_switch *r = &recs[i];
		int thread = (i / 2) % 2;

		memset(r, 0, sizeof(*r));
		r->hdr.time = t0 + i * 1500ULL;
		r->hdr.kind = i % 2 ? KT_ONCPU : KT_OFFCPU;
		r->hdr.cpu = 1;
		r->hdr.tgid = 4242;
		r->hdr.pid = 4242 + thread;
		r->hdr.ppid = 4000;
		strcpy(r->hdr.comm, "workload");
		r->stack_id = -1;
		r->state = r->hdr.kind == KT_OFFCPU ? 1 : 0;   /* sleeping in read() */
	}
}

/* No probes are loaded: the switches a script sets (kt.filter.stacks, ...)
 * go to a config of our own instead of the kernel's map. */
static struct kt_config bench_config = { .active = 1 };

static int config_get(struct kt_session *s, struct kt_config *c)
{
	(void)s;
	*c = bench_config;
	return 0;
}

static int config_set(struct kt_session *s, const struct kt_config *c)
{
	(void)s;
	bench_config = *c;
	return 0;
}

static int switch_set(struct kt_session *s, bool on)
{
	(void)s, (void)on;
	return 0;
}

static int wake_set(struct kt_session *s, int events, int runq)
{
	(void)s;
	if (events >= 0)
		bench_config.wakeups = events;
	if (runq >= 0)
		bench_config.runq = runq;
	return 0;
}

static int no_stack(struct kt_session *s, int32_t id, const char *frames[KT_STACK_DEPTH])
{
	(void)s, (void)id, (void)frames;
	return 0;
}

int main(int argc, char **argv)
{
	static struct kt_session session;
	static struct kt_switch recs[RING];
	struct kt_session *s = &session;
	struct kt_options opts;
	char err[512], *kargv[64];
	long events = 2000000;
	int kargc = 0, i = 2;
	uint64_t t0, elapsed;

	if (argc < 2) {
		fputs("usage: hostpath SCRIPT [EVENTS] [-- SCRIPT ARGS]\n", stderr);
		return 2;
	}
	if (i < argc && strcmp(argv[i], "--"))
		events = atol(argv[i++]);
	/* keytime-run's own option parsing gives the same defaults. */
	kargv[kargc++] = "keytime-run";
	kargv[kargc++] = argv[1];
	for (; i < argc && kargc < 63; i++)
		kargv[kargc++] = argv[i];
	kargv[kargc] = NULL;
	if (kt_options_parse(&opts, kargc, kargv, err, sizeof(err))) {
		fprintf(stderr, "hostpath: %s\n", err);
		return 2;
	}
	s->opts = &opts;
	kt_output_setup();   /* stdout as keytime-run writes it */
	static struct kt_source source;
	source = kt_live_source;   /* its clock */
	source.config_get = config_get;
	source.config_set = config_set;
	source.set_cpu_events = switch_set;
	source.set_exec_calls = switch_set;
	source.set_wake = wake_set;
	source.stack = no_stack;
	s->source = &source;
	s->start_ns = kt_mono_ns();
	if (kt_lua_open(s)) {
		fputs("hostpath: cannot create the Lua state\n", stderr);
		return 1;
	}
	kt_guard_start(s);
	if (kt_lua_run_script(s))
		return 1;
	make_records(recs, RING, s->start_ns);

	t0 = kt_mono_ns();
	for (long n = 0; n < events && !s->failed && !s->stop; n++) {
		struct kt_switch *r = &recs[n % RING];

		/* what the ring-buffer callback does with a valid record */
		s->events[r->hdr.kind]++;
		kt_lua_dispatch(s, r, sizeof(*r));
	}
	fflush(stdout);
	elapsed = kt_mono_ns() - t0;
	kt_guard_stop();
	fprintf(stderr, "hostpath: events=%ld elapsed_ns=%llu events_per_s=%.0f ns_per_event=%.0f\n",
		events, (unsigned long long)elapsed, events / (elapsed / 1e9), (double)elapsed / events);
	kt_lua_close(s);
	return s->failed ? 1 : 0;
}
