// SPDX-License-Identifier: GPL-2.0-or-later
/* The live source's event loop: drain the ring buffer in batches, run timers, and notice
 * when the run is over (duration, --cmd child gone, targets gone, signal). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "ustacks.h"
#include "cgroups.h"
#include "session.h"
#include "loop.h"
#include "source.h"
#include "clock.h"
#include "handlers.h"
#include "timers.h"
#include "control.h"
#include "record.h"
#include "guard.h"
#include "events.h"
#include "repl.h"
#include "warn.h"
#include "metrics_serve.h"
#include "lost_rate.h"
#include "backlog.h"
#include "ring_reader.h"

#define POLL_MS        50           /* drains records submitted without a wake-up */
#define CHECK_EVERY_NS 100000000ULL /* targets-gone and lost checks */
/* Asleep (nothing came at the last drain), the reader waits for the ring
 * buffer's wake-up, a signal (keytime-ctl's SIGUSR1, SIGCHLD), the next
 * timer or the deadline. This is only the net under a wake-up lost to a
 * race (a probe that read "awake" just before the reader fell asleep). */
#define ASLEEP_MS      1000

/* How long one drain of the ring buffer may deliver events before the loop
 * gets control back, and how long the backlog is delivered at the end. */
#define DRAIN_SLICE_NS  200000000ULL
#define REPL_SLICE_NS    20000000ULL   /* the REPL reads the keyboard between slices */
#define FINAL_DRAIN_NS 2000000000ULL
/* With kt.backlog, how long the script takes the backlog before the ring
 * buffer is drained again: the ring buffer holds what comes meanwhile. */
#define BACKLOG_SLICE_NS 10000000ULL
#define BACKLOG_PULL_NS   1000000ULL   /* the ring buffer emptied into the backlog meanwhile */
static uint64_t drain_until;    /* CLOCK_MONOTONIC ns */
static bool drain_yielded;      /* on_record cut the last drain short */
static bool final_drain;

static void drain_start(uint64_t slice_ns)
{
	drain_until = kt_mono_ns() + slice_ns;
	drain_yielded = false;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct kt_session *s = ctx;
	const struct kt_header *h = data;

	if (!kt_record_valid(data, size))
		return 0;   /* not ours to judge: skip a malformed record */
	s->events[h->kind]++;
	kt_cgroup_path(h->cgroup_id);   /* on first sight: a cgroup may go before it is asked */
	if (s->ustacks)   /* before the recorder names its stacks */
		kt_ustacks_seen(s, data, size);
	if (s->recorder)
		kt_record_event(s, data, size);
	/* Kernels whose exit tracepoint does not say group_dead leave the
	 * process's entry to us (bpf/keytime.bpf.c, kt_process_exit_task_only). */
	if (h->kind == KT_EXIT && s->probes.skel && !s->probes.features.exit_group_dead &&
	    size >= sizeof(struct kt_exit) && ((const struct kt_exit *)data)->group_dead)
		kt_target_remove(&s->probes, KT_TARGET_TGID, h->tgid);
	if (s->interrupted || s->stopped_in_lua)   /* Ctrl-C in the REPL; a stopped script */
		return 0;
	if (s->backlog) {   /* taken by deliver_backlog(); a drop is counted there */
		kt_backlog_push(s->backlog, data, size);
		return 0;
	}
	kt_lua_dispatch(s, data, size);
	if (s->failed)
		return -1;
	/* A script slower than the kernel would keep one drain going for ever:
	 * hand back to the loop (timers, deadline, -c child) when its slice is
	 * used up, and at once when the run is ending (a signal, kt.stop). */
	if ((s->stop && !final_drain) || kt_mono_ns() >= drain_until) {
		drain_yielded = true;
		return -1;
	}
	return 0;
}

/* A counter of the probes that grew since it was last said (at most once
 * per min_gap_ns): how much, in fresh. */
struct growth {
	uint64_t reported, next_ns;
};

static bool grew(struct growth *g, uint64_t total, uint64_t now, uint64_t min_gap_ns, uint64_t *fresh)
{
	if (now < g->next_ns || total <= g->reported)
		return false;
	*fresh = total - g->reported;
	g->reported = total;
	g->next_ns = now + min_gap_ns;
	return true;
}

static struct growth lost_seen, untraced_seen;

/* Untraced tasks at most once a second: a tree growing past the map would
 * say it at every check. */
static void check_counters(struct kt_session *s)
{
	uint64_t by_reason[KT_UNTRACED_MAX], now = kt_now_ns(s), fresh, total;

	total = kt_untraced_total(s, by_reason);
	if (grew(&untraced_seen, total, now, 1000000000ULL, &fresh)) {
		fflush(stdout);
		kt_warn("so far %llu new tasks not traced, %llu children's ends "
			"not told to their parents (maps full at %u entries: raise with --max-targets)",
			(unsigned long long)(by_reason[KT_UNTRACED_FILTER_FULL] + by_reason[KT_UNTRACED_FILTER_ERROR]),
			(unsigned long long)by_reason[KT_UNTRACED_CHILDREN_FULL], s->probes.max_targets);
		kt_lua_call_untraced(s, fresh, total);
	}
	total = kt_lost_total(s, NULL);
	if (s->backlog)   /* kt.backlog's drops: lost as much as the ring buffer's */
		total += s->backlog->dropped;
	if (grew(&lost_seen, total, now, 0, &fresh)) {
		fflush(stdout);
		kt_lost_rate_note(fresh, now);
		kt_lua_call_lost(s, fresh, total);
	}
}

/* The --cmd child ended: collect its status; its last events are already in
 * the ring buffer, since the kernel reports the exit before waking us. */
static void check_child(struct kt_session *s)
{
	int status;

	if (s->child > 0 && waitpid(s->child, &status, WNOHANG) == s->child) {
		s->child_status = status;
		s->child = 0;
		if (!s->interactive)   /* the REPL goes on */
			s->stop = 1;
	}
}

static void periodic_checks(struct kt_session *s, uint64_t now)
{
	if (now < s->next_check_ns)
		return;
	s->next_check_ns = now + CHECK_EVERY_NS;
	check_counters(s);
	kt_control_poll(s, now);
	/* Every target has ended (the kernel removes them at exit); a tracer
	 * deactivated from outside waits instead. Seen at two checks in a
	 * row: the probe removes a target just before it writes the exit
	 * record, which a stop at the first sight could miss (seen on a
	 * slow guest, the exit of a --pid target lost). */
	if (s->had_targets && !s->interactive && s->child <= 0 && !s->stop &&
	    kt_targets_empty(&s->probes)) {
		struct kt_config c;
		if (kt_config_get(&s->probes, &c) == 0 && !c.all && c.active) {
			if (s->targets_gone)
				s->stop = 1;
			s->targets_gone = true;
		}
	} else {
		s->targets_gone = false;
	}
}

static int poll_timeout_ms(struct kt_session *s, uint64_t now, bool asleep)
{
	uint64_t wake = now + (asleep ? ASLEEP_MS : POLL_MS) * 1000000ULL, timer = kt_lua_next_timer(s);

	if (timer < wake)
		wake = timer;
	if (kt_metrics_next_due(s) < wake)
		wake = kt_metrics_next_due(s);
	if (s->deadline_ns && s->deadline_ns < wake)
		wake = s->deadline_ns;
	if (s->targets_gone && s->next_check_ns < wake)   /* the second look */
		wake = s->next_check_ns;
	return wake <= now ? 0 : (int)((wake - now + 999999) / 1000000);
}

/* Tells the probes whether to wake the reader (see submit() in the probes). */
static void set_asleep(struct kt_session *s, bool asleep)
{
	if (s->probes.reader)
		__atomic_store_n(&s->probes.reader->asleep, asleep, __ATOMIC_SEQ_CST);
}

/* Hands the backlog's records to the script, oldest first, for up to
 * slice_ns (all of them with 0); returns how many. */
static int deliver_backlog(struct kt_session *s, uint64_t slice_ns)
{
	uint64_t now = kt_mono_ns(), until = now + slice_ns, pull_at = now + BACKLOG_PULL_NS;
	const void *rec;
	size_t size;
	int n = 0;

	while ((rec = kt_backlog_peek(s->backlog, &size))) {
		if (s->failed || s->interrupted || s->stopped_in_lua || (s->stop && !final_drain))
			break;
		kt_lua_dispatch(s, rec, size);
		kt_backlog_pop(s->backlog);
		n++;
		now = kt_mono_ns();
		/* A slow script's slice is long enough for a storm to fill a small
		 * ring buffer: it is emptied into the backlog every millisecond
		 * (on_record queues there). */
		if (now >= pull_at) {
			kt_ring_consume(s->rb);
			pull_at = now + BACKLOG_PULL_NS;
		}
		if (slice_ns && now >= until)
			break;
	}
	return n;
}

/* Records delivered by a poll or consume call: its count, or some when the
 * script's slice ran out. */
static int delivered(int r)
{
	return drain_yielded ? 1 : r > 0 ? r : 0;
}

void kt_loop_run(struct kt_session *s)
{
	bool asleep = false;

	s->rb = kt_ring_open(s->probes.events_fd, on_record, s);
	if (!s->rb) {
		kt_warn("cannot open the ring buffer: %s", strerror(errno));
		s->exit_status = 1;
		return;
	}
	while (!s->stop) {
		uint64_t now = kt_now_ns(s);
		int timeout = kt_backlog_empty(s->backlog) ? poll_timeout_ms(s, now, asleep) : 0, r, got;

		/* The REPL waits for the keyboard too, and reads it. */
		drain_start(timeout * 1000000ULL + DRAIN_SLICE_NS);
		if (asleep)
			kt_guard_pause();   /* no script runs: no watchdog tick either */
		r = s->interactive ? kt_repl_wait(s, timeout) : kt_ring_poll(s->rb, timeout);
		if (asleep)
			kt_guard_resume();
		if (r < 0 && r != -EINTR && !s->failed && !drain_yielded) {
			kt_warn("reading events: %s", strerror(-r));
			s->exit_status = 1;
			break;
		}
		got = s->interactive ? 0 : delivered(r);
		if (!s->stop) {
			drain_start(s->interactive ? REPL_SLICE_NS : DRAIN_SLICE_NS);
			/* records submitted without a wake-up */
			got += delivered(kt_ring_consume(s->rb));
			if (s->backlog)
				got += deliver_backlog(s, BACKLOG_SLICE_NS);
		}
		if (asleep) {
			s->next_check_ns = 0;   /* a signal, a timer or events: look at once */
			if (got) {             /* events: drain on the timer again */
				asleep = false;
				set_asleep(s, false);
			}
		} else if (!got && !s->stop) {
			/* Nothing came: sleep. Said first, then drained once more, so a
			 * record committed meanwhile is either read now or wakes us. */
			set_asleep(s, true);
			got = delivered(kt_ring_consume(s->rb));
			if (got)
				set_asleep(s, false);
			else
				asleep = true;
		}
		now = kt_now_ns(s);
		kt_lua_run_timers(s, now);
		kt_metrics_publish_due(s, now);
		check_child(s);
		periodic_checks(s, now);
		kt_record_tick(s, now);
		if (s->deadline_ns && now >= s->deadline_ns)
			s->stop = 1;
		if (fflush(stdout) == EOF && errno == EPIPE)
			s->stop = 1;
	}
	set_asleep(s, false);
	if (!s->failed) {   /* what is left, unless the script cannot keep up */
		final_drain = true;
		drain_start(FINAL_DRAIN_NS);
		kt_ring_consume(s->rb);
		if (drain_yielded)
			kt_warn("the script is slower than the events: "
				"the last ones were not delivered (%.0f s at the end)",
				FINAL_DRAIN_NS / 1e9);
		if (s->backlog)   /* asked to be late rather than lose any: all of it */
			deliver_backlog(s, 0);
	}
	if (s->backlog && s->backlog->dropped)
		kt_warn("%llu events dropped: kt.backlog's limit of %zu MB was reached "
			"(the script fell that far behind)",
			(unsigned long long)s->backlog->dropped, s->backlog->limit >> 20);
	if (!s->failed)
		check_counters(s);
	kt_ring_close(s->rb);
	s->rb = NULL;
}
