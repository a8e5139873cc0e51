/* Where a ring-buffer record becomes a Lua value: one reusable event object,
 * bound to the record during a handler call, whose fields are decoded only
 * when read. Reading it after the handler returned is an error (copy it
 * with e:totable()).
 * This is the hot path of every event: binding is a pointer store, and a
 * field is found by one lookup of its (interned) name in a table of field
 * numbers, not by comparing strings. */
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

/* Every field a script can read; FIELD_NAMES gives their names. */
enum field {
	F_NONE, F_KIND, F_NAME, F_TIME, F_CPU, F_PID, F_TGID, F_PPID, F_COMM,
	F_FILENAME, F_ARGV, F_ARGC, F_ARGV_TRUNCATED, F_RET,
	F_EXIT_CODE, F_SIGNAL, F_CORE_DUMPED, F_GROUP_DEAD, F_START_TIME, F_LIFETIME,
	F_CHILD_PID, F_CHILD_TGID, F_CLONE_FLAGS,
	F_STATE, F_STATE_NAME, F_STATE_CODE, F_STACK_ID, F_KSTACK, F_RUNTIME,
	F_OLD_PID, F_TOTABLE, F_COUNT,
};

static const char *const field_names[F_COUNT] = {
	[F_KIND] = "kind", [F_NAME] = "name", [F_TIME] = "time", [F_CPU] = "cpu",
	[F_PID] = "pid", [F_TGID] = "tgid", [F_PPID] = "ppid", [F_COMM] = "comm",
	[F_FILENAME] = "filename", [F_ARGV] = "argv", [F_ARGC] = "argc",
	[F_ARGV_TRUNCATED] = "argv_truncated", [F_RET] = "ret",
	[F_EXIT_CODE] = "exit_code", [F_SIGNAL] = "signal", [F_CORE_DUMPED] = "core_dumped",
	[F_GROUP_DEAD] = "group_dead", [F_START_TIME] = "start_time", [F_LIFETIME] = "lifetime",
	[F_CHILD_PID] = "child_pid", [F_CHILD_TGID] = "child_tgid", [F_CLONE_FLAGS] = "clone_flags",
	[F_STATE] = "state", [F_STATE_NAME] = "state_name", [F_STATE_CODE] = "state_code",
	[F_STACK_ID] = "stack_id", [F_KSTACK] = "kstack", [F_RUNTIME] = "runtime",
	[F_OLD_PID] = "old_pid",
	[F_TOTABLE] = "totable",
};

static void push_argv(lua_State *L, const struct kt_exec_enter *x)
{
	unsigned n = x->argc < KT_ARGV_MAX ? x->argc : KT_ARGV_MAX;   /* never trust a count */

	lua_createtable(L, (int)n, 0);
	for (unsigned i = 0; i < n; i++) {
		const char *a = kt_exec_arg(x, i);
		lua_pushlstring(L, a, strnlen(a, KT_ARG_LEN));
		lua_rawseti(L, -2, i + 1);
	}
}

/* The packed arguments of an exec: every one there is, up to KT_ARGS_BUF bytes. */
static int push_exec_argv(lua_State *L, const struct kt_exec *x, bool count_only)
{
	const char *argv[KT_ARGS_BUF / 2];
	int n = kt_exec_split_args(x, argv, KT_ARGS_BUF / 2);

	if (count_only) {
		lua_pushinteger(L, n);
		return 1;
	}
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushlstring(L, argv[i], kt_exec_arg_len(x, argv[i]));
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

static void push_kstack(lua_State *L, struct kt_session *s, int stack_id)
{
	const char *frames[KT_STACK_DEPTH];
	int n = kt_stack_frames(s, stack_id, frames);

	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushstring(L, frames[i]);
		lua_rawseti(L, -2, i + 1);
	}
}

/* Pushes field `f` of the record, or nothing (returns 0) if it has none. */
static int push_field(lua_State *L, struct event_ud *e, enum field f)
{
	const struct kt_header *h = e->rec;
	unsigned kind = h->kind;

	switch (f) {
	case F_KIND: lua_pushstring(L, kt_kind_name(kind)); return 1;
	case F_NAME: lua_pushstring(L, kt_kind_table_name(kind)); return 1;
	case F_TIME: lua_pushinteger(L, h->time); return 1;
	case F_CPU:  lua_pushinteger(L, h->cpu); return 1;
	case F_PID:  lua_pushinteger(L, h->pid); return 1;
	case F_TGID: lua_pushinteger(L, h->tgid); return 1;
	case F_PPID: lua_pushinteger(L, h->ppid); return 1;
	case F_COMM: lua_pushlstring(L, h->comm, strnlen(h->comm, KT_COMM_LEN)); return 1;
	default: break;
	}

	switch (kind) {
	case KT_EXEC_ENTER: {
		const struct kt_exec_enter *x = e->rec;
		switch (f) {
		case F_FILENAME:
			lua_pushlstring(L, x->filename, strnlen(x->filename, KT_FILENAME_LEN));
			return 1;
		case F_ARGV: push_argv(L, x); return 1;
		case F_ARGC: lua_pushinteger(L, x->argc); return 1;
		case F_ARGV_TRUNCATED: lua_pushboolean(L, x->flags & KT_EXEC_ARGV_TRUNCATED); return 1;
		default: return 0;
		}
	}
	case KT_EXEC: {
		const struct kt_exec *x = e->rec;
		switch (f) {
		case F_FILENAME:
			lua_pushlstring(L, x->filename, strnlen(x->filename, KT_FILENAME_LEN));
			return 1;
		case F_ARGV: return push_exec_argv(L, x, false);
		case F_ARGC: return push_exec_argv(L, x, true);
		case F_ARGV_TRUNCATED: lua_pushboolean(L, x->flags & KT_EXEC_ARGV_TRUNCATED); return 1;
		case F_OLD_PID: lua_pushinteger(L, x->old_pid); return 1;
		default: return 0;
		}
	}
	case KT_EXEC_EXIT:
		if (f == F_RET) { lua_pushinteger(L, ((const struct kt_exec_exit *)e->rec)->ret); return 1; }
		return 0;
	case KT_EXIT: {
		const struct kt_exit *x = e->rec;
		switch (f) {
		case F_EXIT_CODE:   lua_pushinteger(L, x->exit_code); return 1;
		case F_SIGNAL:      lua_pushinteger(L, x->signal); return 1;
		case F_CORE_DUMPED: lua_pushboolean(L, x->core_dumped); return 1;
		case F_GROUP_DEAD:  lua_pushboolean(L, x->group_dead); return 1;
		case F_START_TIME:  lua_pushinteger(L, x->start_time); return 1;
		case F_LIFETIME:
			lua_pushinteger(L, h->time > x->start_time ? h->time - x->start_time : 0);
			return 1;
		default: return 0;
		}
	}
	case KT_FORK: case KT_VFORK: case KT_THREAD: {
		const struct kt_child *x = e->rec;
		switch (f) {
		case F_CHILD_PID:   lua_pushinteger(L, x->child_pid); return 1;
		case F_CHILD_TGID:  lua_pushinteger(L, x->child_tgid); return 1;
		case F_CLONE_FLAGS: lua_pushinteger(L, x->clone_flags); return 1;
		default: return 0;
		}
	}
	case KT_FORK_EXIT: case KT_VFORK_EXIT: case KT_THREAD_EXIT: {
		const struct kt_child_exit *x = e->rec;
		switch (f) {
		case F_CHILD_PID:  lua_pushinteger(L, x->child_pid); return 1;
		case F_CHILD_TGID: lua_pushinteger(L, x->child_tgid); return 1;
		case F_EXIT_CODE:  lua_pushinteger(L, x->exit_code); return 1;
		case F_SIGNAL:     lua_pushinteger(L, x->signal); return 1;
		case F_LIFETIME:
			lua_pushinteger(L, h->time > x->child_start_time ? h->time - x->child_start_time : 0);
			return 1;
		default: return 0;
		}
	}
	case KT_ONCPU: case KT_OFFCPU: {
		const struct kt_switch *x = e->rec;
		if (f == F_RUNTIME) { lua_pushinteger(L, x->runtime); return 1; }
		if (kind == KT_ONCPU)
			return 0;
		switch (f) {
		case F_STATE:      lua_pushstring(L, kt_state_letter(x->state)); return 1;
		case F_STATE_NAME: lua_pushstring(L, kt_state_name(x->state)); return 1;
		case F_STATE_CODE: lua_pushinteger(L, x->state); return 1;
		case F_STACK_ID:   lua_pushinteger(L, x->stack_id); return 1;
		case F_KSTACK:     push_kstack(L, e->s, x->stack_id); return 1;
		default: return 0;
		}
	}
	}
	return 0;
}

/* Fields per kind, in the order e:totable() and the docs list them. */
static const enum field common_fields[] = { F_KIND, F_NAME, F_TIME, F_CPU, F_PID, F_TGID, F_PPID, F_COMM, F_NONE };
static const enum field exec_enter_fields[] = { F_FILENAME, F_ARGV, F_ARGC, F_ARGV_TRUNCATED, F_NONE };
static const enum field exec_exit_fields[] = { F_RET, F_NONE };
static const enum field exec_fields[] = { F_FILENAME, F_ARGV, F_ARGC, F_ARGV_TRUNCATED, F_OLD_PID, F_NONE };
static const enum field exit_fields[] = { F_EXIT_CODE, F_SIGNAL, F_CORE_DUMPED, F_GROUP_DEAD, F_START_TIME, F_LIFETIME, F_NONE };
static const enum field child_fields[] = { F_CHILD_PID, F_CHILD_TGID, F_CLONE_FLAGS, F_NONE };
static const enum field child_exit_fields[] = { F_CHILD_PID, F_CHILD_TGID, F_EXIT_CODE, F_SIGNAL, F_LIFETIME, F_NONE };
static const enum field oncpu_fields[] = { F_RUNTIME, F_NONE };
static const enum field offcpu_fields[] = { F_STATE, F_STATE_NAME, F_STATE_CODE, F_STACK_ID, F_KSTACK, F_RUNTIME, F_NONE };
static const enum field no_fields[] = { F_NONE };

static const enum field *kind_fields(unsigned kind)
{
	switch (kind) {
	case KT_EXEC_ENTER: return exec_enter_fields;
	case KT_EXEC_EXIT:  return exec_exit_fields;
	case KT_EXEC:       return exec_fields;
	case KT_EXIT:       return exit_fields;
	case KT_FORK: case KT_VFORK: case KT_THREAD: return child_fields;
	case KT_FORK_EXIT: case KT_VFORK_EXIT: case KT_THREAD_EXIT: return child_exit_fields;
	case KT_ONCPU:      return oncpu_fields;
	case KT_OFFCPU:     return offcpu_fields;
	default:            return no_fields;
	}
}

static int event_totable(lua_State *L)
{
	struct event_ud *e = check_event(L);
	const enum field *lists[2] = { common_fields, kind_fields(((const struct kt_header *)e->rec)->kind) };

	lua_newtable(L);
	for (int l = 0; l < 2; l++)
		for (const enum field *f = lists[l]; *f; f++)
			if (push_field(L, e, *f))
				lua_setfield(L, -2, field_names[*f]);
	return 1;
}

/* __index, with upvalue 1 the table { field name = field number }. */
static int event_index(lua_State *L)
{
	struct event_ud *e = check_event(L);
	enum field f = F_NONE;

	if (lua_type(L, 2) == LUA_TSTRING) {
		lua_pushvalue(L, 2);
		lua_rawget(L, lua_upvalueindex(1));
		f = (enum field)lua_tointeger(L, -1);   /* 0 (F_NONE) when not a field */
		lua_pop(L, 1);
	} else {
		luaL_checkstring(L, 2);   /* a number is no field; anything else, an error */
	}
	if (f == F_TOTABLE) {
		lua_pushcfunction(L, event_totable);
		return 1;
	}
	if (f == F_NONE || !push_field(L, e, f))
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
	lua_createtable(L, 0, F_COUNT);
	for (int f = F_NONE + 1; f < F_COUNT; f++) {
		lua_pushinteger(L, f);
		lua_setfield(L, -2, field_names[f]);
	}
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
