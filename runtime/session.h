/* One tracing run: the loaded probes, the Lua state, the event loop's state. */
#ifndef KT_SESSION_H
#define KT_SESSION_H
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include <lua.h>
#include "options.h"
#include "probes.h"

struct ring_buffer;
struct kt_ksyms;
struct kt_stacks;
struct kt_trace_writer;

#define KT_MAX_TIMERS 64
/* Handler lists (lua_api.c): the event kinds, then "end", "lost", "targets". */
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
	struct kt_probes probes;
	struct ring_buffer *rb;
	struct kt_ksyms *ksyms;         /* loaded on first stack symbolized */
	struct kt_stacks *stacks;        /* symbolized stacks (stacks.c) */
	struct kt_trace_writer *recorder;  /* --record */
	bool replaying;                 /* --replay: events from a file, no BPF */
	uint8_t *replay_buf;             /* the whole recording */
	size_t replay_len;
	uint64_t replay_lost[KT_KIND_MAX];  /* lost counts the recording ends with */
	bool record_failed;
	/* kt.now() during the main chunk and the end hook: fixed instants, kept in
	 * the recording, so a replay sees the same times. 0: the clock. */
	uint64_t frozen_now, script_start_ns, end_ns;
	/* Runaway scripts (guard.c) and handler errors (lua_api.c). */
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
	struct kt_timer timers[KT_MAX_TIMERS];

	uint64_t events[KT_KIND_MAX];   /* delivered, per kind */
	uint64_t lost_reported;
	uint64_t untraced_reported, next_untraced_check_ns;
	uint64_t start_ns, deadline_ns, next_check_ns;
	int64_t mono_to_real_ns;        /* add to CLOCK_MONOTONIC for wall time */

	pid_t child;                    /* --cmd child, 0 when none or reaped */
	int child_status;               /* its wait status once reaped */
	bool had_targets;               /* stop when the targets are all gone */
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

/* The Lua side of a session (lua_api.c). */
int kt_lua_open(struct kt_session *s);                  /* creates s->L with `kt` */
int kt_lua_run_script(struct kt_session *s);            /* loads and runs the main chunk */
void kt_lua_dispatch(struct kt_session *s, const void *rec, size_t size);
void kt_lua_run_timers(struct kt_session *s, uint64_t now);
uint64_t kt_lua_next_timer(struct kt_session *s);      /* UINT64_MAX if none */
void kt_lua_call_lost(struct kt_session *s, uint64_t new_lost, uint64_t total);
/* The "lost" handlers again, for tasks not traced: fn(new, total, "untraced"). */
void kt_lua_call_untraced(struct kt_session *s, uint64_t new_untraced, uint64_t total);
void kt_lua_call_end(struct kt_session *s);
void kt_lua_interrupt(struct kt_session *s);            /* from a signal handler */
/* Calls the function under nargs arguments at the top, as handlers are
 * called (traceback, Ctrl-C); false after an error, already reported. */
bool kt_lua_pcall(struct kt_session *s, int nargs);
void kt_lua_close(struct kt_session *s);

/* The event userdata (lua_event.c). */
void kt_event_register(lua_State *L, struct kt_session *s);
void kt_event_push(lua_State *L);                       /* the reusable event object */
void kt_event_bind(lua_State *L, const void *rec, size_t size);
void kt_event_unbind(lua_State *L);

/* The filter map object (lua_filter.c). */
void kt_filter_register(lua_State *L, struct kt_session *s);
/* Pushes the targets as kt.filter:list() returns them. */
void kt_filter_push_list(lua_State *L, struct kt_session *s);

/* Changes made from outside by keytime-ctl (control.c). */
void kt_control_poll(struct kt_session *s, uint64_t now);
void kt_lua_call_targets(struct kt_session *s);

/* Record and replay (record.c, replay.c). */
int kt_record_start(struct kt_session *s, const char *path, const char *targets,
		    char *err, size_t errlen);
void kt_record_event(struct kt_session *s, const void *rec, size_t size);
int kt_record_finish(struct kt_session *s);
int kt_replay_open(struct kt_session *s, char *err, size_t errlen);   /* reads the header */
int kt_replay_run(struct kt_session *s);
uint64_t kt_replay_clock(void);   /* the recorded clock; 0 when not replaying */

/* Runaway scripts (guard.c). */
enum { KT_RUNAWAY_TIME = 1, KT_RUNAWAY_MEMORY = 2 };
void kt_guard_start(struct kt_session *s);
void kt_guard_stop(void);
void kt_guard_pause(void);    /* while the loop sleeps */
void kt_guard_resume(void);
void *kt_guard_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* Time (loop.c). */
uint64_t kt_now_ns(void);
/* Sum of kt_lost over CPUs and kinds; per kind into by_kind if not NULL. */
uint64_t kt_lost_total(struct kt_session *s, uint64_t by_kind[KT_KIND_MAX]);
/* Tasks not traced for want of room in the filter map, and children whose
 * end could not be told to their parent (by_reason may be NULL); 0 in a
 * replay. */
uint64_t kt_untraced_total(struct kt_session *s, uint64_t by_reason[KT_UNTRACED_MAX]);
const char *kt_untraced_name(unsigned reason);   /* "filter_full", ... */
/* Runs until stopped; returns after the last events are delivered. */
void kt_loop_run(struct kt_session *s);

#endif
