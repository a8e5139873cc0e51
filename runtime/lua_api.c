/* The `kt` Lua module and how the host calls into Lua: loading the script,
 * handlers per event kind, timers, the end hook, and errors with tracebacks.
 * Every call into Lua goes through call_protected(), in the manner of lua.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "session.h"
#include "demand.h"
#include "events.h"
#include "ksyms.h"
#include "script_path.h"

#define KIND_ANY KT_DEMAND_ANY       /* handlers of "*" (0) */
#define EXIT_MARK "keytime.exit"     /* error value raised by os.exit() */
#define ERRORS_SEEN "keytime.errors_seen"  /* registry: handler errors shown once */

static struct kt_session *session(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* The script's clock: the run's clock, but fixed while the main chunk and
 * the end hook run (see frozen_now). */
static uint64_t script_now(struct kt_session *s)
{
	return s->frozen_now ? s->frozen_now : kt_now_ns();
}

/* ---- errors ------------------------------------------------------------ */

/* Message handler: adds a traceback, but lets os.exit()'s marker through. */
static int traceback(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (lua_istable(L, 1)) {
		lua_getfield(L, 1, EXIT_MARK);
		if (!lua_isnil(L, -1)) {
			lua_pop(L, 1);
			return 1;
		}
		lua_pop(L, 1);
	}
	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			msg = lua_tostring(L, -1);
		else
			msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

/* After a failed call: an os.exit() ends the run with its status; anything
 * else is a script error, printed once, that ends the run with status 1. */
static void handle_error(struct kt_session *s)
{
	lua_State *L = s->L;

	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, EXIT_MARK);
		if (!lua_isnil(L, -1)) {
			s->exit_status = (int)lua_tointeger(L, -1);
			s->stop = 1;
			lua_pop(L, 2);
			return;
		}
		lua_pop(L, 1);
	}
	fflush(stdout);
	if (s->interactive) {
		fprintf(stderr, "keytime-run: %s\n", lua_tostring(L, -1));
		lua_pop(L, 1);
		return;   /* the REPL reports it and goes on, keeping its state */
	}
	/* A signal that ends the run cut this call short: said, but it is the
	 * end asked for, not the script's error (the exit status stays). */
	if (s->stopped_in_lua && !s->loading) {
		fprintf(stderr, "keytime-run: %s\n", lua_tostring(L, -1));
		lua_pop(L, 1);
		return;
	}
	/* The main chunk's errors, --strict, and a runaway script end the run. */
	if (s->loading || s->opts->strict || s->runaway) {
		fprintf(stderr, "keytime-run: %s\n", lua_tostring(L, -1));
		lua_pop(L, 1);
		s->failed = true;
		s->exit_status = 1;
		s->stop = 1;
		return;
	}
	/* A handler's error: shown once per distinct message, counted always. */
	s->handler_errors++;
	lua_getfield(L, LUA_REGISTRYINDEX, ERRORS_SEEN);
	lua_pushvalue(L, -2);
	if (lua_rawget(L, -2) == LUA_TNIL) {
		s->distinct_errors++;
		fprintf(stderr, "keytime-run: %s\n(tracing goes on; this error is counted, not shown again)\n",
			lua_tostring(L, -3));
		lua_pushvalue(L, -3);
		lua_pushboolean(L, 1);
		lua_rawset(L, -4);
	}
	lua_pop(L, 3);
}

/* lua_pcall of the function under nargs arguments at the top, with the
 * message handler at stack index msgh, and what every call into the script
 * needs around it. On error the error is handled (and popped). */
static bool pcall_script(struct kt_session *s, int nargs, int msgh)
{
	lua_State *L = s->L;
	int r;

	s->in_lua++;
	s->call_seq++;   /* the watchdog tells calls apart by this */
	r = lua_pcall(L, nargs, 0, msgh);
	s->in_lua--;
	if (s->stop || s->interrupted)
		lua_sethook(L, NULL, 0, 0);   /* an interrupt that came too late */
	if (r != LUA_OK) {
		handle_error(s);
		return false;
	}
	return true;
}

/* Calls the function under nargs arguments at the top; false on error. */
static bool call_protected(struct kt_session *s, int nargs)
{
	lua_State *L = s->L;
	int base = lua_gettop(L) - nargs;
	bool ok;

	lua_rawgeti(L, LUA_REGISTRYINDEX, s->traceback_ref);
	lua_insert(L, base);
	ok = pcall_script(s, nargs, base);
	lua_remove(L, base);   /* the message handler */
	return ok;
}

bool kt_lua_pcall(struct kt_session *s, int nargs)
{
	return call_protected(s, nargs);
}

/* Ctrl-C while a handler runs: stop it at the next instruction (as lua.c). */
static void interrupted_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	lua_sethook(L, NULL, 0, 0);
	luaL_error(L, "interrupted");
}

void kt_lua_interrupt(struct kt_session *s)
{
	if (s->L)
		lua_sethook(s->L, interrupted_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* ---- handlers ---------------------------------------------------------- */

/* Handlers may add and remove handlers while a list runs: a list is run up
 * to the length it had when its dispatch began (one added meanwhile first
 * sees the next event), and a removed entry becomes false while any list
 * runs (it is skipped, even later in the same dispatch), the lists being
 * compacted when the outermost dispatch ends. Nothing is allocated per event. */

static void compact_list(struct kt_session *s, int list)
{
	lua_State *L = s->L;
	int n = s->nslots[list], j = 1;

	lua_rawgeti(L, LUA_REGISTRYINDEX, s->handlers_ref);
	lua_rawgeti(L, -1, list);                    /* fns */
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->subs_ref);
	lua_rawgeti(L, -1, list);                    /* subs */
	for (int i = 1; i <= n; i++) {
		if (lua_rawgeti(L, -3, i) != LUA_TFUNCTION) {
			lua_pop(L, 1);
			continue;
		}
		if (i != j) {
			lua_rawseti(L, -4, j);
			lua_rawgeti(L, -1, i);
			lua_rawseti(L, -2, j);
		} else {
			lua_pop(L, 1);
		}
		j++;
	}
	for (int i = n; i >= j; i--) {
		lua_pushnil(L);
		lua_rawseti(L, -4, i);
		lua_pushnil(L);
		lua_rawseti(L, -2, i);
	}
	lua_pop(L, 4);
	s->nslots[list] = j - 1;
}

static void dispatch_begin(struct kt_session *s)
{
	s->dispatch_depth++;
}

static void dispatch_end(struct kt_session *s)
{
	if (--s->dispatch_depth || !s->lists_dirty)
		return;
	for (int list = 0; list < KT_NLISTS; list++)
		if (s->lists_dirty & (1u << list))
			compact_list(s, list);
	s->lists_dirty = 0;
}

/* subscription:off() (or .off()): upvalues s, the list, the subscription.
 * true if it was registered; false if already off. */
static int subscription_off(lua_State *L)
{
	struct kt_session *s = session(L);
	int list = (int)lua_tointeger(L, lua_upvalueindex(2));
	int n = s->nslots[list], found = 0;

	lua_rawgeti(L, LUA_REGISTRYINDEX, s->subs_ref);
	lua_rawgeti(L, -1, list);                    /* subs */
	for (int i = 1; i <= n && !found; i++) {
		lua_rawgeti(L, -1, i);
		if (lua_rawequal(L, -1, lua_upvalueindex(3)))
			found = i;
		lua_pop(L, 1);
	}
	if (!found) {
		lua_pushboolean(L, 0);
		return 1;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->handlers_ref);
	lua_rawgeti(L, -1, list);                    /* fns */
	if (s->dispatch_depth) {
		/* A list may be running: keep its positions, skip this one. */
		lua_pushboolean(L, 0);
		lua_rawseti(L, -2, found);
		lua_pushboolean(L, 0);
		lua_rawseti(L, -4, found);
		s->lists_dirty |= 1u << list;
	} else {
		for (int j = found; j < n; j++) {
			lua_rawgeti(L, -1, j + 1);
			lua_rawseti(L, -2, j);
			lua_rawgeti(L, -3, j + 1);
			lua_rawseti(L, -4, j);
		}
		lua_pushnil(L);
		lua_rawseti(L, -2, n);
		lua_pushnil(L);
		lua_rawseti(L, -4, n);
		s->nslots[list]--;
	}
	s->nhandlers[list]--;
	lua_pushboolean(L, 1);
	return 1;
}

/* kt.on(kind, fn) -> subscription with :off(). kind is an event name
 * ("fork" or "forkP_enter"), "*" for every event, "end", "lost" or "targets". */
static int kt_on(lua_State *L)
{
	struct kt_session *s = session(L);
	const char *name = luaL_checkstring(L, 1);
	int list, e;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	if (!strcmp(name, "end"))
		list = KT_LIST_END;
	else if (!strcmp(name, "lost"))
		list = KT_LIST_LOST;
	else if (!strcmp(name, "targets"))
		list = KT_LIST_TARGETS;
	else {
		list = !strcmp(name, "*") ? KIND_ANY : (int)kt_kind_from_name(name);
		if (list == KIND_ANY && strcmp(name, "*"))
			return luaL_error(L, "unknown event '%s' (events: exec, exec_enter, exec_exit, exit, "
					  "fork, vfork, thread, fork_exit, vfork_exit, thread_exit, "
					  "oncpu, offcpu, *, end, lost, targets)", name);
	}
	lua_settop(L, 2);
	lua_createtable(L, 0, 1);                    /* the subscription: 3 */
	lua_pushlightuserdata(L, s);
	lua_pushinteger(L, list);
	lua_pushvalue(L, 3);
	lua_pushcclosure(L, subscription_off, 3);
	lua_setfield(L, 3, "off");
	/* Room for the entries first: no error once the lists are changed. */
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->handlers_ref);
	lua_rawgeti(L, -1, list);                    /* fns: 5 */
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->subs_ref);
	lua_rawgeti(L, -1, list);                    /* subs: 7 */
	lua_pushboolean(L, 0);
	lua_rawseti(L, 5, s->nslots[list] + 1);
	lua_pushboolean(L, 0);
	lua_rawseti(L, 7, s->nslots[list] + 1);
	if (list < KT_KIND_MAX && (e = kt_demand_subscribed(s, list))) {
		lua_pushnil(L);
		lua_rawseti(L, 5, s->nslots[list] + 1);
		lua_pushnil(L);
		lua_rawseti(L, 7, s->nslots[list] + 1);
		return luaL_error(L, "cannot attach the probes of '%s' events: %s", name, strerror(-e));
	}
	lua_pushvalue(L, 2);
	lua_rawseti(L, 5, s->nslots[list] + 1);
	lua_pushvalue(L, 3);
	lua_rawseti(L, 7, s->nslots[list] + 1);
	s->nslots[list]++;
	s->nhandlers[list]++;
	lua_settop(L, 3);
	return 1;
}

/* Every event goes through here: the message handler and the list are
 * pushed once, then each of the list's first n handlers still on is called
 * with the event object. */
static void call_list(struct kt_session *s, int kind, int n)
{
	lua_State *L = s->L;
	int base = lua_gettop(L);

	lua_rawgeti(L, LUA_REGISTRYINDEX, s->traceback_ref);   /* base + 1 */
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->handlers_ref);
	lua_rawgeti(L, -1, kind);                              /* base + 3 */
	for (int i = 1; i <= n && !s->failed; i++) {
		if (lua_rawgeti(L, base + 3, i) != LUA_TFUNCTION) {
			lua_pop(L, 1);   /* removed during this dispatch */
			continue;
		}
		kt_event_push(L);
		pcall_script(s, 1, base + 1);
	}
	lua_settop(L, base);
}

void kt_lua_dispatch(struct kt_session *s, const void *rec, size_t size)
{
	unsigned kind = ((const struct kt_header *)rec)->kind;
	int nkind, nany;

	if (kind >= KT_KIND_MAX)
		return;
	/* The lengths now: handlers added by these handlers wait for the next event. */
	nkind = s->nhandlers[kind] ? s->nslots[kind] : 0;
	nany = s->nhandlers[KIND_ANY] ? s->nslots[KIND_ANY] : 0;
	if (s->failed || (!nkind && !nany))
		return;
	kt_event_bind(s->L, rec, size);
	dispatch_begin(s);
	if (nkind)
		call_list(s, kind, nkind);
	if (nany && !s->failed)
		call_list(s, KIND_ANY, nany);
	dispatch_end(s);
	kt_event_unbind(s->L);
}

static void call_simple_list(struct kt_session *s, int list, int nargs_pushed_fn(lua_State *, void *), void *arg)
{
	lua_State *L = s->L;
	int n = s->nslots[list];

	if (!s->nhandlers[list])
		return;
	dispatch_begin(s);
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->handlers_ref);
	lua_rawgeti(L, -1, list);
	for (int i = 1; i <= n && !s->failed; i++) {
		if (lua_rawgeti(L, -1, i) != LUA_TFUNCTION) {
			lua_pop(L, 1);
			continue;
		}
		call_protected(s, nargs_pushed_fn(L, arg));
	}
	lua_pop(L, 2);
	dispatch_end(s);
}

static int push_lost_args(lua_State *L, void *arg)
{
	uint64_t *v = arg;
	lua_pushinteger(L, v[0]);
	lua_pushinteger(L, v[1]);
	return 2;
}

void kt_lua_call_lost(struct kt_session *s, uint64_t new_lost, uint64_t total)
{
	uint64_t v[2] = { new_lost, total };
	call_simple_list(s, KT_LIST_LOST, push_lost_args, v);
}

static int push_untraced_args(lua_State *L, void *arg)
{
	push_lost_args(L, arg);
	lua_pushliteral(L, "untraced");
	return 3;
}

void kt_lua_call_untraced(struct kt_session *s, uint64_t new_untraced, uint64_t total)
{
	uint64_t v[2] = { new_untraced, total };
	call_simple_list(s, KT_LIST_LOST, push_untraced_args, v);
}

static int push_targets(lua_State *L, void *arg)
{
	kt_filter_push_list(L, arg);
	return 1;
}

/* After keytime-ctl changed the policy: handlers get the new target list. */
void kt_lua_call_targets(struct kt_session *s)
{
	call_simple_list(s, KT_LIST_TARGETS, push_targets, s);
}

static void push_stats(struct kt_session *s);

static int push_summary(lua_State *L, void *arg)
{
	push_stats(arg);
	return 1;
}

void kt_lua_call_end(struct kt_session *s)
{
	bool failed = s->failed;

	/* The end hook runs even after kt.stop() or a signal, not after an error. */
	if (failed)
		return;
	s->frozen_now = s->end_ns ? s->end_ns : kt_now_ns();
	lua_sethook(s->L, NULL, 0, 0);
	call_simple_list(s, KT_LIST_END, push_summary, s);
	s->frozen_now = 0;
}

/* ---- timers ------------------------------------------------------------ */

/* timer:cancel() (or .cancel()): upvalues s, the slot, its generation when
 * the timer was made. true if that timer was pending; false once it fired
 * (one-shot) or was cancelled, even if a new timer took the slot since. */
static int timer_cancel(lua_State *L)
{
	struct kt_session *s = session(L);
	lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
	uint32_t gen = (uint32_t)lua_tointeger(L, lua_upvalueindex(3));
	struct kt_timer *t = &s->timers[i];

	if (!t->used || t->gen != gen) {
		lua_pushboolean(L, 0);
		return 1;
	}
	luaL_unref(L, LUA_REGISTRYINDEX, t->fn_ref);
	t->used = false;
	lua_pushboolean(L, 1);
	return 1;
}

static int add_timer(lua_State *L, bool repeat)
{
	struct kt_session *s = session(L);
	lua_Number ms = luaL_checknumber(L, 1);
	struct kt_timer *t;
	int i;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	luaL_argcheck(L, ms > 0 || (!repeat && ms >= 0), 1, "interval must be above 0 ms");
	for (i = 0; i < KT_MAX_TIMERS && s->timers[i].used; i++)
		;
	if (i == KT_MAX_TIMERS)
		return luaL_error(L, "too many timers (at most %d)", KT_MAX_TIMERS);
	t = &s->timers[i];
	/* The handle first (it may fail for memory): the slot is taken after. */
	lua_createtable(L, 0, 1);
	lua_pushlightuserdata(L, s);
	lua_pushinteger(L, i);
	lua_pushinteger(L, t->gen + 1);
	lua_pushcclosure(L, timer_cancel, 3);
	lua_setfield(L, -2, "cancel");
	lua_pushvalue(L, 2);
	t->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	t->every_ns = repeat ? (uint64_t)(ms * 1e6) : 0;
	t->due_ns = script_now(s) + (uint64_t)(ms * 1e6);
	t->gen++;
	t->used = true;
	return 1;
}

static int kt_every(lua_State *L) { return add_timer(L, true); }
static int kt_after(lua_State *L) { return add_timer(L, false); }

void kt_lua_run_timers(struct kt_session *s, uint64_t now)
{
	for (int i = 0; i < KT_MAX_TIMERS && !s->failed; i++) {
		struct kt_timer *t = &s->timers[i];
		if (!t->used || t->due_ns > now)
			continue;
		lua_rawgeti(s->L, LUA_REGISTRYINDEX, t->fn_ref);
		if (t->every_ns) {
			/* Catch up without firing a burst after a long handler. */
			while (t->due_ns <= now)
				t->due_ns += t->every_ns;
		} else {
			luaL_unref(s->L, LUA_REGISTRYINDEX, t->fn_ref);
			t->used = false;
		}
		call_protected(s, 0);
	}
}

uint64_t kt_lua_next_timer(struct kt_session *s)
{
	uint64_t next = UINT64_MAX;
	for (int i = 0; i < KT_MAX_TIMERS; i++)
		if (s->timers[i].used && s->timers[i].due_ns < next)
			next = s->timers[i].due_ns;
	return next;
}

/* ---- the rest of kt ------------------------------------------------------ */

static void push_stats(struct kt_session *s)
{
	lua_State *L = s->L;
	uint64_t lost[KT_KIND_MAX] = {0}, total = 0, lost_total;

	lost_total = kt_lost_total(s, lost);
	lua_createtable(L, 0, 5);
	lua_newtable(L);
	for (unsigned k = 1; k < KT_KIND_MAX; k++) {
		lua_pushinteger(L, s->events[k]);
		lua_setfield(L, -2, kt_kind_name(k));
		total += s->events[k];
	}
	lua_setfield(L, -2, "by_kind");
	lua_newtable(L);
	for (unsigned k = 1; k < KT_KIND_MAX; k++) {
		lua_pushinteger(L, lost[k]);
		lua_setfield(L, -2, kt_kind_name(k));
	}
	lua_setfield(L, -2, "lost_by_kind");
	lua_pushinteger(L, total);
	lua_setfield(L, -2, "events");
	lua_pushinteger(L, lost_total);
	lua_setfield(L, -2, "lost");
	{
		uint64_t by_reason[KT_UNTRACED_MAX];
		lua_pushinteger(L, kt_untraced_total(s, by_reason));
		lua_setfield(L, -2, "untraced");
		lua_createtable(L, 0, KT_UNTRACED_MAX);
		for (unsigned r = 0; r < KT_UNTRACED_MAX; r++) {
			lua_pushinteger(L, by_reason[r]);
			lua_setfield(L, -2, kt_untraced_name(r));
		}
		lua_setfield(L, -2, "untraced_by_reason");
	}
	lua_pushinteger(L, script_now(s) - s->start_ns);
	lua_setfield(L, -2, "duration");
}

static int kt_stats(lua_State *L)
{
	push_stats(session(L));
	return 1;
}

static int kt_stop(lua_State *L)
{
	struct kt_session *s = session(L);

	s->exit_status = (int)luaL_optinteger(L, 1, 0);
	s->stop = 1;
	return 0;
}

static int kt_now(lua_State *L)
{
	lua_pushinteger(L, script_now(session(L)));
	return 1;
}

/* kt.wallclock(ns) -> seconds since the epoch (a float) of a monotonic time. */
static int kt_wallclock(lua_State *L)
{
	struct kt_session *s = session(L);
	lua_Integer ns = luaL_checkinteger(L, 1);

	lua_pushnumber(L, (lua_Number)(ns + s->mono_to_real_ns) / 1e9);
	return 1;
}

/* kt.strftime(fmt, ns): local time of a monotonic event time; %f is the
 * microseconds, as in bpftrace. */
static int kt_strftime(lua_State *L)
{
	struct kt_session *s = session(L);
	const char *fmt = luaL_checkstring(L, 1);
	lua_Integer ns = luaL_checkinteger(L, 2) + s->mono_to_real_ns;
	time_t secs = ns / 1000000000;
	struct tm tm;
	char expanded[256], out[512], us[16];
	size_t j = 0;

	snprintf(us, sizeof(us), "%06lld", (long long)(ns % 1000000000) / 1000);
	for (size_t i = 0; fmt[i] && j < sizeof(expanded) - 8; i++) {
		if (fmt[i] == '%' && fmt[i + 1] == 'f') {
			memcpy(expanded + j, us, 6);
			j += 6;
			i++;
		} else {
			expanded[j++] = fmt[i];
			if (fmt[i] == '%' && fmt[i + 1])
				expanded[j++] = fmt[++i];
		}
	}
	expanded[j] = 0;
	localtime_r(&secs, &tm);
	strftime(out, sizeof(out), expanded, &tm);
	lua_pushstring(L, out);
	return 1;
}

static int kt_ksym(lua_State *L)
{
	struct kt_session *s = session(L);
	lua_Integer addr = luaL_checkinteger(L, 1);
	char buf[300];

	if (!s->ksyms)
		s->ksyms = kt_ksyms_load();
	lua_pushstring(L, kt_ksyms_format(s->ksyms, (uint64_t)addr, buf, sizeof(buf)));
	return 1;
}

static int kt_signame(lua_State *L)
{
	const char *n = kt_signal_name((int)luaL_checkinteger(L, 1));
	if (n)
		lua_pushstring(L, n);
	else
		lua_pushfstring(L, "SIG%d", (int)lua_tointeger(L, 1));
	return 1;
}

/* os.exit() inside the tracer ends the run cleanly instead of exit(3). */
static int os_exit(lua_State *L)
{
	int status = lua_isboolean(L, 1) ? (lua_toboolean(L, 1) ? 0 : 1)
					 : (int)luaL_optinteger(L, 1, 0);
	lua_createtable(L, 0, 1);
	lua_pushinteger(L, status);
	lua_setfield(L, -2, EXIT_MARK);
	return lua_error(L);
}

static void set_int_field(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

static void push_options(lua_State *L, const struct kt_options *o)
{
	lua_createtable(L, 0, 8);
	if (o->pid)
		set_int_field(L, "pid", o->pid);
	if (o->tgid)
		set_int_field(L, "tgid", o->tgid);
	if (o->cmd) {
		lua_pushstring(L, o->cmd);
		lua_setfield(L, -2, "cmd");
	}
	lua_pushboolean(L, o->all);
	lua_setfield(L, -2, "all");
	lua_pushboolean(L, o->follow);
	lua_setfield(L, -2, "follow");
	lua_pushboolean(L, o->myproc);
	lua_setfield(L, -2, "myproc");
	set_int_field(L, "cpu", o->cpu);
	lua_pushnumber(L, o->duration);
	lua_setfield(L, -2, "duration");
	if (o->output) {
		lua_pushstring(L, o->output);
		lua_setfield(L, -2, "output");
	}
}

/* Scripts find the modules in lua/ beside the executable (the build tree),
 * in the install folder, and beside the script's own folder, before the
 * system's (script_path.c has the order). */
static void set_module_path(lua_State *L, const char *script)
{
	char exe_dir[4096], dirs[16384];

	if (kt_module_path(dirs, sizeof(dirs), kt_exe_dir(exe_dir, sizeof(exe_dir)),
			   kt_datadir(), script))
		return;    /* paths too long to search: the system's path only */
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "path");
	lua_pushfstring(L, "%s%s", dirs, lua_tostring(L, -1));
	lua_setfield(L, -3, "path");
	lua_pop(L, 2);
}

/* An error outside any protected call: nothing to do but say it and leave. */
static int panic(lua_State *L)
{
	fprintf(stderr, "keytime-run: unprotected Lua error: %s\n", lua_tostring(L, -1));
	fflush(stderr);
	return 0;   /* Lua then aborts */
}

/* kt.features: what this kernel let the probes do. A replay has every
 * event the recording has; the recording kernel's shapes are not known. */
static void push_features(lua_State *L, struct kt_session *s)
{
	const struct kt_features *f = &s->probes.features;
	struct utsname u;

	lua_newtable(L);
	lua_pushboolean(L, s->replaying || f->cpu_events);
	lua_setfield(L, -2, "cpu_events");
	lua_pushboolean(L, s->replaying || f->exec_calls);
	lua_setfield(L, -2, "exec_calls");
	if (!s->replaying) {
		lua_pushstring(L, f->exit_group_dead ? "tracepoint" : "derived");
		lua_setfield(L, -2, "group_dead");
		lua_pushstring(L, f->switch_prev_state ? "tracepoint" : "task");
		lua_setfield(L, -2, "switch_state");
		if (uname(&u) == 0) {
			lua_pushstring(L, u.release);
			lua_setfield(L, -2, "kernel");
		}
	}
}

int kt_lua_open(struct kt_session *s)
{
	static const luaL_Reg fns[] = {
		{ "on", kt_on }, { "every", kt_every }, { "after", kt_after },
		{ "stats", kt_stats }, { "stop", kt_stop }, { "now", kt_now },
		{ "wallclock", kt_wallclock }, { "strftime", kt_strftime },
		{ "ksym", kt_ksym }, { "signame", kt_signame },
		{ NULL, NULL },
	};
	lua_State *L = lua_newstate(kt_guard_alloc, s);

	if (!L)
		return -1;
	s->L = L;
	lua_atpanic(L, panic);
	luaL_openlibs(L);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, ERRORS_SEEN);

	lua_pushcfunction(L, traceback);
	s->traceback_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	for (int t = 0; t < 2; t++) {
		lua_createtable(L, KT_NLISTS, 0);
		for (int list = 0; list < KT_NLISTS; list++) {
			lua_newtable(L);
			lua_rawseti(L, -2, list);
		}
		if (t == 0)
			s->handlers_ref = luaL_ref(L, LUA_REGISTRYINDEX);
		else
			s->subs_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}

	kt_event_register(L, s);

	lua_newtable(L);                         /* kt */
	lua_pushlightuserdata(L, s);
	luaL_setfuncs(L, fns, 1);
	kt_filter_register(L, s);
	lua_setfield(L, -2, "filter");
	push_options(L, s->opts);
	lua_setfield(L, -2, "opts");
	lua_createtable(L, s->opts->script_argc, 0);
	for (int i = 0; i < s->opts->script_argc; i++) {
		lua_pushstring(L, s->opts->script_argv[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_pushvalue(L, -1);
	lua_setglobal(L, "arg");                 /* as the lua interpreter does */
	lua_setfield(L, -2, "args");
	lua_pushstring(L, s->opts->script ? s->opts->script : "");
	lua_setfield(L, -2, "script");
	lua_pushstring(L, KEYTIME_VERSION);
	lua_setfield(L, -2, "version");
	lua_pushinteger(L, getpid());
	lua_setfield(L, -2, "pid");            /* keytime-run's own process */
	lua_pushboolean(L, s->replaying);
	lua_setfield(L, -2, "replaying");      /* pids of a recording: no /proc for them */
	push_features(L, s);
	lua_setfield(L, -2, "features");
	lua_setglobal(L, "kt");

	lua_getglobal(L, "os");
	lua_pushcfunction(L, os_exit);
	lua_setfield(L, -2, "exit");
	lua_pop(L, 1);
	set_module_path(L, s->opts->script);   /* none (the REPL): the current folder's */
	return 0;
}

int kt_lua_run_script(struct kt_session *s)
{
	const char *path = s->opts->script;
	bool r;

	if (access(path, R_OK)) {
		fprintf(stderr, "keytime-run: cannot read script %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (luaL_loadfile(s->L, path) != LUA_OK) {
		fprintf(stderr, "keytime-run: %s\n", lua_tostring(s->L, -1));
		lua_pop(s->L, 1);
		return -1;
	}
	if (!s->replaying)
		s->script_start_ns = kt_now_ns();
	s->frozen_now = s->script_start_ns;
	s->loading = true;
	r = call_protected(s, 0);
	s->loading = false;
	s->frozen_now = 0;
	if (!r)
		return s->failed ? -1 : 0;   /* os.exit() in the main chunk is not an error */
	return 0;
}

void kt_lua_close(struct kt_session *s)
{
	if (s->L)
		lua_close(s->L);
	s->L = NULL;
}
