// SPDX-License-Identifier: GPL-2.0-or-later
/* Handlers (handlers.h): the lists kt.on() fills, one per event kind and
 * for "end", "lost" and "targets", and the dispatch of each record to them. */
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include "session.h"
#include "handlers.h"
#include "lua_call.h"
#include "lua_event.h"
#include "lua_filter.h"
#include "stats.h"
#include "source.h"
#include "demand.h"
#include "events.h"
#include "emit.h"

#define KIND_ANY KT_DEMAND_ANY       /* handlers of "*" (0) */

static struct kt_session *session(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

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

const struct kt_handler_list kt_handler_lists[] = {
	{ "*", KIND_ANY, "fn(e) for every event" },
	{ "end", KT_LIST_END, "fn(stats) once, when the run ends" },
	{ "lost", KT_LIST_LOST, "fn(new, total) when events were lost (ring buffer full)" },
	{ "targets", KT_LIST_TARGETS, "fn(list) after keytime-ctl changed the targets" },
	{ NULL, 0, NULL },
};

/* The list of an event kind's name or of one of the names above; -1. */
static int list_of(const char *name)
{
	unsigned kind = kt_kind_from_name(name);

	if (kind)
		return (int)kind;
	for (const struct kt_handler_list *l = kt_handler_lists; l->name; l++)
		if (!strcmp(name, l->name))
			return l->list;
	return -1;
}

/* The error for a name kt.on does not know, listing those it does. */
static int unknown_event(lua_State *L, const char *name)
{
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	for (unsigned k = 1; k < KT_KIND_MAX; k++) {
		luaL_addstring(&b, kt_kind_name(k));
		luaL_addstring(&b, ", ");
	}
	for (const struct kt_handler_list *l = kt_handler_lists; l->name; l++) {
		luaL_addstring(&b, l->name);
		if (l[1].name)
			luaL_addstring(&b, ", ");
	}
	luaL_pushresult(&b);
	return luaL_error(L, "unknown event '%s' (events: %s)", name, lua_tostring(L, -1));
}

/* kt.on(kind, fn) -> subscription with :off(). kind is an event name
 * ("fork" or "forkP_enter"), "*" for every event, "end", "lost" or "targets". */
int kt_on(lua_State *L)
{
	struct kt_session *s = session(L);
	const char *name = luaL_checkstring(L, 1);
	int list, e;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	if ((list = list_of(name)) < 0)
		return unknown_event(L, name);
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

	kt_lua_push_msgh(s);                                   /* base + 1 */
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->handlers_ref);
	lua_rawgeti(L, -1, kind);                              /* base + 3 */
	for (int i = 1; i <= n && !s->failed; i++) {
		if (lua_rawgeti(L, base + 3, i) != LUA_TFUNCTION) {
			lua_pop(L, 1);   /* removed during this dispatch */
			continue;
		}
		kt_event_push(L);
		kt_lua_pcall_at(s, 1, base + 1);
	}
	lua_settop(L, base);
}

void kt_lua_dispatch(struct kt_session *s, const void *rec, size_t size)
{
	unsigned kind = ((const struct kt_header *)rec)->kind;
	int nkind, nany;

	if (kind >= KT_KIND_MAX)
		return;
	if (s->emit)
		kt_emit_event(s, rec);
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
		kt_lua_pcall(s, nargs_pushed_fn(L, arg));
	}
	lua_pop(L, 2);
	dispatch_end(s);
}

struct lost_args {
	uint64_t fresh, total;
	const char *what;       /* NULL: events lost; "untraced": tasks */
};

static int push_lost_args(lua_State *L, void *arg)
{
	const struct lost_args *a = arg;

	lua_pushinteger(L, a->fresh);
	lua_pushinteger(L, a->total);
	if (!a->what)
		return 2;
	lua_pushstring(L, a->what);
	return 3;
}

void kt_lua_call_lost(struct kt_session *s, uint64_t new_lost, uint64_t total)
{
	struct lost_args a = { new_lost, total, NULL };
	call_simple_list(s, KT_LIST_LOST, push_lost_args, &a);
}

void kt_lua_call_untraced(struct kt_session *s, uint64_t new_untraced, uint64_t total)
{
	struct lost_args a = { new_untraced, total, "untraced" };
	call_simple_list(s, KT_LIST_LOST, push_lost_args, &a);
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

static int push_summary(lua_State *L, void *arg)
{
	kt_stats_push(arg);
	return 1;
}

void kt_lua_call_end(struct kt_session *s)
{
	bool failed = s->failed;

	/* The end hook runs even after kt.stop() or a signal, not after an error. */
	if (failed)
		return;
	s->frozen_now = s->end_ns ? s->end_ns : kt_now_ns(s);
	lua_sethook(s->L, NULL, 0, 0);
	call_simple_list(s, KT_LIST_END, push_summary, s);
	s->frozen_now = 0;
}

void kt_handlers_init(struct kt_session *s)
{
	lua_State *L = s->L;

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
}
