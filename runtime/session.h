/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One tracing run: where its events come from, the Lua state, the
 * handlers, the counts. Each module declares its own functions. */
#ifndef KT_SESSION_H
#define KT_SESSION_H
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include <lua.h>
#include "options.h"
#include "probes.h"
#include "command.h"

struct kt_ring;
struct kt_source;
struct kt_ksyms;
struct kt_stacks;
struct kt_ustacks;
struct kt_backlog;
struct kt_trace_writer;
struct kt_metrics;
struct kt_metrics_http;
struct kt_emit;

#define KT_MAX_TIMERS 64
/* Handler lists (handlers.c): the event kinds, then "end", "lost", "targets". */
#define KT_LIST_END KT_KIND_MAX
#define KT_LIST_LOST (KT_KIND_MAX + 1)
#define KT_LIST_TARGETS (KT_KIND_MAX + 2)
#define KT_NLISTS (KT_KIND_MAX + 3)

struct kt_timer {
	bool used;
	uint32_t gen;           /* bumped each time the slot is taken: the handle's identity */
	uint64_t due_ns;        /* CLOCK_MONOTONIC */
	uint64_t every_ns;      /* 0: one-shot */
	int fn_ref;             /* Lua registry ref */
};

struct kt_session {
	struct kt_options *opts;
	const struct kt_source *source;  /* live or recorded (source.h) */
	struct kt_probes probes;         /* the live source's */
	struct kt_ring *rb;
	struct kt_ksyms *ksyms;         /* loaded on first stack symbolized */
	struct kt_stacks *stacks;        /* symbolized stacks (stacks.c) */
	struct kt_ustacks *ustacks;      /* user stacks (ustacks.c); NULL: never asked */
	struct kt_trace_writer *recorder;  /* --record */
	struct kt_backlog *backlog;       /* kt.backlog: records waiting for the script; NULL: off */
	bool record_failed;
	/* kt.now() during the main chunk and the end hook: fixed instants, kept in
	 * the recording, so a replay sees the same times. 0: the clock. */
	uint64_t frozen_now, script_start_ns, end_ns;
	/* Runaway scripts (guard.c) and handler errors (lua_call.c). */
	volatile sig_atomic_t runaway;   /* KT_RUNAWAY_*: the script is being stopped */
	uint64_t call_seq;              /* calls into the script so far */
	size_t lua_bytes;               /* the script's memory */
	bool loading;                   /* the main chunk runs: its errors end the run */
	uint64_t handler_errors;        /* errors raised by handlers and timers */
	uint64_t distinct_errors;
	lua_State *L;

	/* Handler lists: the event kinds ([0]: "*", every event), then "end",
	 * "lost" and "targets". handlers_ref: { [list] = {fn, ...} }; subs_ref:
	 * the same shape, each fn's subscription (its identity for :off()). An
	 * entry removed while handlers run becomes false, compacted after. */
	int handlers_ref, subs_ref;
	int nhandlers[KT_NLISTS];       /* live handlers per list */
	int nslots[KT_NLISTS];          /* entries per list, removed ones included */
	int dispatch_depth;             /* handler lists being run */
	uint32_t lists_dirty;           /* bit per list with removed entries */
	int traceback_ref;
	struct kt_emit *emit;           /* kt.emit: lines the host writes; NULL: none */
	struct kt_timer timers[KT_MAX_TIMERS];

	uint64_t events[KT_KIND_MAX];   /* delivered, per kind */
	/* kt.metrics and --metrics (metrics_serve.c). */
	struct kt_metrics *metrics;
	struct kt_metrics_http *metrics_http;   /* NULL: not serving */
	uint64_t metrics_every_ns, metrics_next_ns;
	uint64_t start_ns, deadline_ns, next_check_ns;
	int64_t mono_to_real_ns;        /* add to CLOCK_MONOTONIC for wall time */

	struct kt_command command;      /* --cmd, once started */
	pid_t child;                    /* --cmd child, 0 when none or reaped */
	int child_status;               /* its wait status once reaped */
	bool had_targets;               /* stop when the targets are all gone */
	bool targets_gone;              /* ...as the last check saw: stop if the next sees it too */
	volatile sig_atomic_t stop;     /* set by signals, kt.stop(), errors */
	volatile sig_atomic_t in_lua;   /* inside a call into the script */
	volatile sig_atomic_t stopped_in_lua; /* a signal ended the run inside the script */
	int exit_status;
	bool failed;                    /* a script error ended the run */
	/* -i: the REPL. Errors and Ctrl-C return to the prompt instead of
	 * ending the run, which outlives its targets. */
	bool interactive;
	volatile sig_atomic_t interrupted; /* Ctrl-C in the REPL; events are skipped until it is taken */
	uint32_t control_generation;    /* last keytime-ctl change seen */
	bool cpu_chosen;                /* the script set kt.filter.cpu (demand.c) */
};

#endif
