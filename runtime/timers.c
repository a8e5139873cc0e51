// SPDX-License-Identifier: GPL-2.0-or-later
/* Timers (timers.h): kt.every() and kt.after(), on the run's clock. A
 * handle keeps its slot's generation, so cancelling a timer that has fired
 * never cancels the one that took its slot since. */
#include <stdint.h>
#include <lua.h>
#include <lauxlib.h>
#include "session.h"
#include "timers.h"
#include "lua_call.h"
#include "source.h"

static struct kt_session *session(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

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
	t->due_ns = kt_script_now(s) + (uint64_t)(ms * 1e6);
	t->gen++;
	t->used = true;
	return 1;
}

int kt_every(lua_State *L) { return add_timer(L, true); }
int kt_after(lua_State *L) { return add_timer(L, false); }

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
		kt_lua_pcall(s, 0);
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

