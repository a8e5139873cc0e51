// SPDX-License-Identifier: GPL-2.0-or-later
/* Where a ring-buffer record becomes a Lua value: one reusable event object,
 * bound to the record during a handler call, whose fields are decoded only
 * when read. Reading it after the handler returned is an error (copy it
 * with e:totable()).
 * This is the hot path of every event: binding is a pointer store, and a
 * field is found by one lookup of its (interned) name in a table of field
 * numbers, not by comparing strings. The fields themselves are decoded by
 * event_fields.c, which the JSON encoder (e:json()) shares. */
#include <string.h>
#include <stdio.h>
#include <lua.h>
#include <lauxlib.h>
#include <bpf/bpf.h>
#include "session.h"
#include "lua_event.h"
#include "events.h"
#include "ksyms.h"
#include "stacks.h"
#include "ustacks.h"
#include "event_fields.h"
#include "event_json.h"

#define EVENT_MT "keytime.event"

struct event_ud {
	const void *rec;        /* NULL outside a handler */
	size_t size;
	struct kt_session *s;
};

/* The event object of the last state registered, found without a registry
 * lookup per event (another state takes the slow path). */
static struct {
	lua_State *L;
	struct event_ud *e;
	int ref;
} current = { NULL, NULL, LUA_NOREF };

static struct event_ud *check_event(lua_State *L)
{
	struct event_ud *e = lua_touserdata(L, 1);

	if (!e || e != current.e)
		e = luaL_checkudata(L, 1, EVENT_MT);
	if (!e->rec)
		luaL_error(L, "event used outside its handler (keep a copy with e:totable())");
	return e;
}

/* The fields are those of event_fields.h; the methods take numbers after them. */
enum { M_TOTABLE = KT_F_COUNT, M_JSON, M_COUNT };

static void push_list(lua_State *L, const char **items, const size_t *lens, int n)
{
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushlstring(L, items[i], lens ? lens[i] : strlen(items[i]));
		lua_rawseti(L, -2, i + 1);
	}
}

/* The lists have their own frames: push_field's stays small for the
 * fields read on every event. */
static __attribute__((noinline)) void push_argv(lua_State *L, const void *rec)
{
	const char *argv[KT_FIELD_ARGV_MAX];
	size_t lens[KT_FIELD_ARGV_MAX];

	push_list(L, argv, lens, kt_field_argv(rec, argv, lens, KT_FIELD_ARGV_MAX));
}

static int stack_frames(void *ctx, const struct kt_value *v, const char *frames[KT_STACK_DEPTH])
{
	if (v->type == KT_V_USTACK)
		return kt_ustack_frames(ctx, (int32_t)v->i, (uint32_t)v->len, frames);
	return kt_stack_frames(ctx, (int32_t)v->i, frames);
}

static __attribute__((noinline)) void push_stack(lua_State *L, struct kt_session *s,
						 const struct kt_value *v)
{
	const char *frames[KT_STACK_DEPTH];

	push_list(L, frames, NULL, stack_frames(s, v, frames));
}

/* Pushes field `f` of the record, or nothing (returns 0) if it has none. */
static int push_field(lua_State *L, struct event_ud *e, enum kt_field f)
{
	struct kt_value v = kt_field_get(e->rec, f);

	switch (v.type) {
	case KT_V_NONE: return 0;
	case KT_V_INT:  lua_pushinteger(L, v.i); return 1;
	case KT_V_BOOL: lua_pushboolean(L, (int)v.i); return 1;
	case KT_V_STR:  lua_pushlstring(L, v.s, v.len); return 1;
	case KT_V_ARGV:   push_argv(L, e->rec); return 1;
	case KT_V_KSTACK:
	case KT_V_USTACK: push_stack(L, e->s, &v); return 1;
	}
	return 0;
}

static int event_totable(lua_State *L)
{
	struct event_ud *e = check_event(L);
	const enum kt_field *lists[2] = { kt_common_fields, kt_kind_fields(((const struct kt_header *)e->rec)->kind) };

	lua_newtable(L);
	for (int l = 0; l < 2; l++)
		for (const enum kt_field *f = lists[l]; *f; f++)
			if (push_field(L, e, *f))
				lua_setfield(L, -2, kt_field_name(*f));
	return 1;
}

/* e:json(): the event as one line of JSON (event_json.h), without the newline. */
static int event_json(lua_State *L)
{
	static struct kt_json_buf buf;   /* reused: its size is that of the longest event */
	struct event_ud *e = check_event(L);

	buf.len = 0;
	if (kt_event_json(&buf, e->rec, stack_frames, e->s))
		return luaL_error(L, "e:json(): out of memory");
	lua_pushlstring(L, buf.data, buf.len);
	return 1;
}

/* __index, with upvalue 1 the table { field name = field number }. */
static int event_index(lua_State *L)
{
	struct event_ud *e = check_event(L);
	lua_Integer f = KT_F_NONE;

	if (lua_type(L, 2) == LUA_TSTRING) {
		lua_pushvalue(L, 2);
		lua_rawget(L, lua_upvalueindex(1));
		f = lua_tointeger(L, -1);   /* 0 (KT_F_NONE) when not a field */
		lua_pop(L, 1);
	} else {
		luaL_checkstring(L, 2);   /* a number is no field; anything else, an error */
	}
	if (f == M_TOTABLE) {
		lua_pushcfunction(L, event_totable);
		return 1;
	}
	if (f == M_JSON) {
		lua_pushcfunction(L, event_json);
		return 1;
	}
	if (f == KT_F_NONE || !push_field(L, e, (enum kt_field)f))
		lua_pushnil(L);
	return 1;
}

/* The kernel terminates comm; a record is still read as if it might not. */
static const char *comm_of(const struct kt_header *h, char buf[KT_COMM_LEN + 1])
{
	memcpy(buf, h->comm, KT_COMM_LEN);
	buf[KT_COMM_LEN] = 0;
	return buf;
}

static int event_tostring(lua_State *L)
{
	struct event_ud *e = luaL_checkudata(L, 1, EVENT_MT);
	const struct kt_header *h = e->rec;
	char comm[KT_COMM_LEN + 1];

	if (!h)
		lua_pushstring(L, "keytime.event (expired)");
	else
		lua_pushfstring(L, "keytime.event %s pid=%d tgid=%d comm=%s",
				kt_kind_table_name(h->kind), (int)h->pid, (int)h->tgid,
				comm_of(h, comm));
	return 1;
}

static int event_newindex(lua_State *L)
{
	return luaL_error(L, "event fields are read-only");
}

void kt_event_register(lua_State *L, struct kt_session *s)
{
	struct event_ud *e;

	luaL_newmetatable(L, EVENT_MT);
	lua_createtable(L, 0, M_COUNT);
	for (int f = KT_F_NONE + 1; f < KT_F_COUNT; f++) {
		lua_pushinteger(L, f);
		lua_setfield(L, -2, kt_field_name(f));
	}
	lua_pushinteger(L, M_TOTABLE);
	lua_setfield(L, -2, "totable");
	lua_pushinteger(L, M_JSON);
	lua_setfield(L, -2, "json");
	lua_pushcclosure(L, event_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, event_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, event_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);

	e = lua_newuserdatauv(L, sizeof(*e), 0);
	e->rec = NULL;
	e->size = 0;
	e->s = s;
	luaL_setmetatable(L, EVENT_MT);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, "keytime.current_event");
	current.L = L;
	current.e = e;
	current.ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void kt_event_push(lua_State *L)
{
	if (L == current.L)
		lua_rawgeti(L, LUA_REGISTRYINDEX, current.ref);
	else
		lua_getfield(L, LUA_REGISTRYINDEX, "keytime.current_event");
}

void kt_event_bind(lua_State *L, const void *rec, size_t size)
{
	struct event_ud *e;

	if (L == current.L) {
		e = current.e;
	} else {
		kt_event_push(L);
		e = lua_touserdata(L, -1);
		lua_pop(L, 1);
	}
	e->rec = rec;
	e->size = size;
}

void kt_event_unbind(lua_State *L)
{
	kt_event_bind(L, NULL, 0);
}
