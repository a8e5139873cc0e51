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

#define KT_MAX_TIMERS 64

struct kt_timer {
	bool used;
	uint64_t due_ns;        /* CLOCK_MONOTONIC */
	uint64_t every_ns;      /* 0: one-shot */
	int fn_ref;             /* Lua registry ref */
};

struct kt_session {
	struct kt_options *opts;
	struct kt_probes probes;
	struct ring_buffer *rb;
	struct kt_ksyms *ksyms;         /* loaded on first stack symbolized */
	lua_State *L;

	int handlers_ref;               /* registry: { [kind] = {fn, ...} } */
	int nhandlers[KT_KIND_MAX + 1]; /* [0]: "*" (every event) */
	int end_handlers_ref, lost_handlers_ref;
	int traceback_ref;
	struct kt_timer timers[KT_MAX_TIMERS];

	uint64_t events[KT_KIND_MAX];   /* delivered, per kind */
	uint64_t lost_reported;
	uint64_t start_ns, deadline_ns, next_check_ns;
	int64_t mono_to_real_ns;        /* add to CLOCK_MONOTONIC for wall time */

	pid_t child;                    /* --cmd child, 0 when none or reaped */
	int child_status;               /* its wait status once reaped */
	bool had_targets;               /* stop when the targets are all gone */
	volatile sig_atomic_t stop;     /* set by signals, kt.stop(), errors */
	volatile sig_atomic_t in_lua;   /* inside a call into the script */
	int exit_status;
	bool failed;                    /* a script error ended the run */
};

/* The Lua side of a session (lua_api.c). */
int kt_lua_open(struct kt_session *s);                  /* creates s->L with `kt` */
int kt_lua_run_script(struct kt_session *s);            /* loads and runs the main chunk */
void kt_lua_dispatch(struct kt_session *s, const void *rec, size_t size);
void kt_lua_run_timers(struct kt_session *s, uint64_t now);
uint64_t kt_lua_next_timer(struct kt_session *s);      /* UINT64_MAX if none */
void kt_lua_call_lost(struct kt_session *s, uint64_t new_lost, uint64_t total);
void kt_lua_call_end(struct kt_session *s);
void kt_lua_interrupt(struct kt_session *s);            /* from a signal handler */
void kt_lua_close(struct kt_session *s);

/* The event userdata (lua_event.c). */
void kt_event_register(lua_State *L, struct kt_session *s);
void kt_event_push(lua_State *L);                       /* the reusable event object */
void kt_event_bind(lua_State *L, const void *rec, size_t size);
void kt_event_unbind(lua_State *L);

/* The filter map object (lua_filter.c). */
void kt_filter_register(lua_State *L, struct kt_session *s);

/* Time (loop.c). */
uint64_t kt_now_ns(void);
/* Sum of kt_lost over CPUs and kinds; per kind into by_kind if not NULL. */
uint64_t kt_lost_total(struct kt_session *s, uint64_t by_kind[KT_KIND_MAX]);
/* Runs until stopped; returns after the last events are delivered. */
void kt_loop_run(struct kt_session *s);

#endif
