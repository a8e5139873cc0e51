/* The event loop: drain the ring buffer in batches, run timers, and notice
 * when the run is over (duration, --cmd child gone, targets gone, signal). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "session.h"
#include "events.h"
#include "repl.h"
#include "lost_rate.h"

#define POLL_MS        50           /* drains records submitted without a wake-up */
#define CHECK_EVERY_NS 100000000ULL /* targets-gone and lost checks */
/* Asleep (nothing came at the last drain), the reader waits for the ring
 * buffer's wake-up, a signal (keytime-ctl's SIGUSR1, SIGCHLD), the next
 * timer or the deadline. This is only the net under a wake-up lost to a
 * race (a probe that read "awake" just before the reader fell asleep). */
#define ASLEEP_MS      1000

uint64_t kt_now_ns(void)
{
	struct timespec ts;
	uint64_t recorded = kt_replay_clock();

	if (recorded)
		return recorded;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
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

uint64_t kt_lost_total(struct kt_session *s, uint64_t by_kind[KT_KIND_MAX])
{
	uint64_t total = 0;

	if (s->replaying) {   /* what the recording ended with */
		for (int k = 1; k < KT_KIND_MAX; k++) {
			if (by_kind)
				by_kind[k] = s->replay_lost[k];
			total += s->replay_lost[k];
		}
		return total;
	}
	return percpu_counters(s->probes.lost_fd, 1, KT_KIND_MAX, by_kind);
}

/* How long one drain of the ring buffer may deliver events before the loop
 * gets control back, and how long the backlog is delivered at the end. */
#define DRAIN_SLICE_NS  200000000ULL
#define REPL_SLICE_NS    20000000ULL   /* the REPL reads the keyboard between slices */
#define FINAL_DRAIN_NS 2000000000ULL
static uint64_t drain_until;    /* CLOCK_MONOTONIC ns */
static bool drain_yielded;      /* on_record cut the last drain short */
static bool final_drain;

/* The real clock, also when kt_now_ns() replays a recorded one. */
static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void drain_start(uint64_t slice_ns)
{
	drain_until = mono_ns() + slice_ns;
	drain_yielded = false;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct kt_session *s = ctx;
	const struct kt_header *h = data;

	if (!kt_record_valid(data, size))
		return 0;   /* not ours to judge: skip a malformed record */
	s->events[h->kind]++;
	if (s->recorder)
		kt_record_event(s, data, size);
	/* Kernels whose exit tracepoint does not say group_dead leave the
	 * process's entry to us (bpf/keytime.bpf.c, kt_process_exit_task_only). */
	if (h->kind == KT_EXIT && s->probes.skel && !s->probes.features.exit_group_dead &&
	    size >= sizeof(struct kt_exit) && ((const struct kt_exit *)data)->group_dead)
		kt_target_remove(&s->probes, KT_TARGET_TGID, h->tgid);
	if (s->interrupted || s->stopped_in_lua)   /* Ctrl-C in the REPL; a stopped script */
		return 0;
	kt_lua_dispatch(s, data, size);
	if (s->failed)
		return -1;
	/* A script slower than the kernel would keep one drain going for ever:
	 * hand back to the loop (timers, deadline, -c child) when its slice is
	 * used up, and at once when the run is ending (a signal, kt.stop). */
	if ((s->stop && !final_drain) || mono_ns() >= drain_until) {
		drain_yielded = true;
		return -1;
	}
	return 0;
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

uint64_t kt_untraced_total(struct kt_session *s, uint64_t by_reason[KT_UNTRACED_MAX])
{
	if (by_reason)
		memset(by_reason, 0, KT_UNTRACED_MAX * sizeof(*by_reason));
	if (s->replaying || !s->probes.skel)
		return 0;
	return percpu_counters(s->probes.untraced_fd, 0, KT_UNTRACED_MAX, by_reason);
}

/* At most once a second: a tree growing past the map would say it at
 * every check. */
static void check_untraced(struct kt_session *s, uint64_t now)
{
	uint64_t by_reason[KT_UNTRACED_MAX];
	uint64_t total;

	if (now < s->next_untraced_check_ns)
		return;
	total = kt_untraced_total(s, by_reason);
	if (total > s->untraced_reported) {
		uint64_t fresh = total - s->untraced_reported;
		s->untraced_reported = total;
		s->next_untraced_check_ns = now + 1000000000ULL;
		fflush(stdout);
		fprintf(stderr, "keytime-run: so far %llu new tasks not traced, %llu children's ends "
			"not told to their parents (maps full at %u entries: raise with --max-targets)\n",
			(unsigned long long)(by_reason[KT_UNTRACED_FILTER_FULL] + by_reason[KT_UNTRACED_FILTER_ERROR]),
			(unsigned long long)by_reason[KT_UNTRACED_CHILDREN_FULL], s->probes.max_targets);
		kt_lua_call_untraced(s, fresh, total);
	}
}

static void check_lost(struct kt_session *s)
{
	uint64_t total = kt_lost_total(s, NULL);

	check_untraced(s, kt_now_ns());
	if (total > s->lost_reported) {
		uint64_t fresh = total - s->lost_reported;
		s->lost_reported = total;
		kt_lost_rate_note(fresh, mono_ns());
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
	check_lost(s);
	kt_control_poll(s, now);
	/* Every target has ended (the kernel removes them at exit); a tracer
	 * deactivated from outside waits instead. */
	if (s->had_targets && !s->interactive && s->child <= 0 && !s->stop &&
	    kt_targets_empty(&s->probes)) {
		struct kt_config c;
		if (kt_config_get(&s->probes, &c) == 0 && !c.all && c.active)
			s->stop = 1;
	}
}

static int poll_timeout_ms(struct kt_session *s, uint64_t now, bool asleep)
{
	uint64_t wake = now + (asleep ? ASLEEP_MS : POLL_MS) * 1000000ULL, timer = kt_lua_next_timer(s);

	if (timer < wake)
		wake = timer;
	if (s->deadline_ns && s->deadline_ns < wake)
		wake = s->deadline_ns;
	return wake <= now ? 0 : (int)((wake - now + 999999) / 1000000);
}

/* Tells the probes whether to wake the reader (see submit() in the probes). */
static void set_asleep(struct kt_session *s, bool asleep)
{
	if (s->probes.reader)
		__atomic_store_n(&s->probes.reader->asleep, asleep, __ATOMIC_SEQ_CST);
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

	s->rb = ring_buffer__new(s->probes.events_fd, on_record, s, NULL);
	if (!s->rb) {
		fprintf(stderr, "keytime-run: cannot open the ring buffer: %s\n", strerror(errno));
		s->exit_status = 1;
		return;
	}
	while (!s->stop) {
		uint64_t now = kt_now_ns();
		int timeout = poll_timeout_ms(s, now, asleep), r, got;

		/* The REPL waits for the keyboard too, and reads it. */
		drain_start(timeout * 1000000ULL + DRAIN_SLICE_NS);
		if (asleep)
			kt_guard_pause();   /* no script runs: no watchdog tick either */
		r = s->interactive ? kt_repl_wait(s, timeout) : ring_buffer__poll(s->rb, timeout);
		if (asleep)
			kt_guard_resume();
		if (r < 0 && r != -EINTR && !s->failed && !drain_yielded) {
			fprintf(stderr, "keytime-run: reading events: %s\n", strerror(-r));
			s->exit_status = 1;
			break;
		}
		got = s->interactive ? 0 : delivered(r);
		if (!s->stop) {
			drain_start(s->interactive ? REPL_SLICE_NS : DRAIN_SLICE_NS);
			/* records submitted without a wake-up */
			got += delivered(ring_buffer__consume(s->rb));
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
			got = delivered(ring_buffer__consume(s->rb));
			if (got)
				set_asleep(s, false);
			else
				asleep = true;
		}
		now = kt_now_ns();
		kt_lua_run_timers(s, now);
		check_child(s);
		periodic_checks(s, now);
		if (s->deadline_ns && now >= s->deadline_ns)
			s->stop = 1;
		if (fflush(stdout) == EOF && errno == EPIPE)
			s->stop = 1;
	}
	set_asleep(s, false);
	if (!s->failed) {   /* what is left, unless the script cannot keep up */
		final_drain = true;
		drain_start(FINAL_DRAIN_NS);
		ring_buffer__consume(s->rb);
		if (drain_yielded)
			fprintf(stderr, "keytime-run: the script is slower than the events: "
				"the last ones were not delivered (%.0f s at the end)\n",
				FINAL_DRAIN_NS / 1e9);
	}
	if (!s->failed)
		check_lost(s);
	ring_buffer__free(s->rb);
	s->rb = NULL;
}
