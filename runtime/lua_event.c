/* Where a ring-buffer record becomes a Lua value: one reusable event object,
 * bound to the record during a handler call, whose fields are decoded only
 * when read. Reading it after the handler returned is an error (copy it
 * with e:totable()). */
#include <string.h>
#include <stdio.h>
#include <lua.h>
#include <lauxlib.h>
#include <bpf/bpf.h>
#include "session.h"
#include "events.h"
#include "ksyms.h"

#define EVENT_MT "keytime.event"

struct event_ud {
	const void *rec;        /* NULL outside a handler */
	size_t size;
	struct kt_session *s;
};

static struct event_ud *check_event(lua_State *L)
{
	struct event_ud *e = luaL_checkudata(L, 1, EVENT_MT);
	if (!e->rec)
		luaL_error(L, "event used outside its handler (keep a copy with e:totable())");
	return e;
}

static void push_argv(lua_State *L, const struct kt_exec_enter *x)
{
	lua_createtable(L, x->argc, 0);
	for (unsigned i = 0; i < x->argc && i < KT_ARGV_MAX; i++) {
		const char *a = kt_exec_arg(x, i);
		lua_pushlstring(L, a, strnlen(a, KT_ARG_LEN));
		lua_rawseti(L, -2, i + 1);
	}
}

static void push_kstack(lua_State *L, struct kt_session *s, int stack_id)
{
	__u64 ips[KT_STACK_DEPTH];
	char buf[300];
	int n = 0;

	lua_newtable(L);
	if (stack_id < 0 || bpf_map_lookup_elem(s->probes.stacks_fd, &stack_id, ips))
		return;
	if (!s->ksyms)
		s->ksyms = kt_ksyms_load();
	for (int i = 0; i < KT_STACK_DEPTH && ips[i]; i++) {
		kt_ksyms_format(s->ksyms, ips[i], buf, sizeof(buf));
		/* The probe itself and its trampoline are not part of the story. */
		if (n == 0 && !strncmp(buf, "bpf_", 4))
			continue;
		lua_pushstring(L, buf);
		lua_rawseti(L, -2, ++n);
	}
}

static void push_exit_status(lua_State *L, int code, int sig, int which)
{
	if (which == 0)
		lua_pushinteger(L, code);
	else
		lua_pushinteger(L, sig);
}

/* Pushes field `k` of the record, or nothing (returns 0) if it has none. */
static int push_field(lua_State *L, struct event_ud *e, const char *k)
{
	const struct kt_header *h = e->rec;
	unsigned kind = h->kind;

	if (!strcmp(k, "kind")) { lua_pushstring(L, kt_kind_name(kind)); return 1; }
	if (!strcmp(k, "name")) { lua_pushstring(L, kt_kind_table_name(kind)); return 1; }
	if (!strcmp(k, "time")) { lua_pushinteger(L, h->time); return 1; }
	if (!strcmp(k, "cpu"))  { lua_pushinteger(L, h->cpu); return 1; }
	if (!strcmp(k, "pid"))  { lua_pushinteger(L, h->pid); return 1; }
	if (!strcmp(k, "tgid")) { lua_pushinteger(L, h->tgid); return 1; }
	if (!strcmp(k, "ppid")) { lua_pushinteger(L, h->ppid); return 1; }
	if (!strcmp(k, "comm")) { lua_pushstring(L, h->comm); return 1; }

	switch (kind) {
	case KT_EXEC_ENTER: {
		const struct kt_exec_enter *x = e->rec;
		if (!strcmp(k, "filename")) {
			lua_pushlstring(L, x->filename, strnlen(x->filename, KT_FILENAME_LEN));
			return 1;
		}
		if (!strcmp(k, "argv")) { push_argv(L, x); return 1; }
		if (!strcmp(k, "argc")) { lua_pushinteger(L, x->argc); return 1; }
		if (!strcmp(k, "argv_truncated")) {
			lua_pushboolean(L, x->flags & KT_EXEC_ARGV_TRUNCATED);
			return 1;
		}
		return 0;
	}
	case KT_EXEC_EXIT:
		if (!strcmp(k, "ret")) { lua_pushinteger(L, ((const struct kt_exec_exit *)e->rec)->ret); return 1; }
		return 0;
	case KT_EXIT: {
		const struct kt_exit *x = e->rec;
		if (!strcmp(k, "exit_code")) { push_exit_status(L, x->exit_code, x->signal, 0); return 1; }
		if (!strcmp(k, "signal"))    { push_exit_status(L, x->exit_code, x->signal, 1); return 1; }
		if (!strcmp(k, "core_dumped")) { lua_pushboolean(L, x->core_dumped); return 1; }
		if (!strcmp(k, "group_dead"))  { lua_pushboolean(L, x->group_dead); return 1; }
		if (!strcmp(k, "start_time"))  { lua_pushinteger(L, x->start_time); return 1; }
		if (!strcmp(k, "lifetime")) {
			lua_pushinteger(L, h->time > x->start_time ? h->time - x->start_time : 0);
			return 1;
		}
		return 0;
	}
	case KT_FORK: case KT_VFORK: case KT_THREAD: {
		const struct kt_child *x = e->rec;
		if (!strcmp(k, "child_pid"))   { lua_pushinteger(L, x->child_pid); return 1; }
		if (!strcmp(k, "child_tgid"))  { lua_pushinteger(L, x->child_tgid); return 1; }
		if (!strcmp(k, "clone_flags")) { lua_pushinteger(L, x->clone_flags); return 1; }
		return 0;
	}
	case KT_FORK_EXIT: case KT_VFORK_EXIT: case KT_THREAD_EXIT: {
		const struct kt_child_exit *x = e->rec;
		if (!strcmp(k, "child_pid"))  { lua_pushinteger(L, x->child_pid); return 1; }
		if (!strcmp(k, "child_tgid")) { lua_pushinteger(L, x->child_tgid); return 1; }
		if (!strcmp(k, "exit_code"))  { lua_pushinteger(L, x->exit_code); return 1; }
		if (!strcmp(k, "signal"))     { lua_pushinteger(L, x->signal); return 1; }
		if (!strcmp(k, "lifetime")) {
			lua_pushinteger(L, h->time > x->child_start_time ? h->time - x->child_start_time : 0);
			return 1;
		}
		return 0;
	}
	case KT_ONCPU: case KT_OFFCPU: {
		const struct kt_switch *x = e->rec;
		if (kind == KT_OFFCPU) {
			if (!strcmp(k, "state"))      { lua_pushstring(L, kt_state_letter(x->state)); return 1; }
			if (!strcmp(k, "state_name")) { lua_pushstring(L, kt_state_name(x->state)); return 1; }
			if (!strcmp(k, "state_code")) { lua_pushinteger(L, x->state); return 1; }
			if (!strcmp(k, "stack_id"))   { lua_pushinteger(L, x->stack_id); return 1; }
			if (!strcmp(k, "kstack"))     { push_kstack(L, e->s, x->stack_id); return 1; }
		}
		return 0;
	}
	}
	return 0;
}

/* Field names per kind, in the order e:totable() and the docs list them. */
static const char *const common_fields[] = { "kind", "name", "time", "cpu", "pid", "tgid", "ppid", "comm", NULL };
static const char *const exec_enter_fields[] = { "filename", "argv", "argc", "argv_truncated", NULL };
static const char *const exec_exit_fields[] = { "ret", NULL };
static const char *const exit_fields[] = { "exit_code", "signal", "core_dumped", "group_dead", "start_time", "lifetime", NULL };
static const char *const child_fields[] = { "child_pid", "child_tgid", "clone_flags", NULL };
static const char *const child_exit_fields[] = { "child_pid", "child_tgid", "exit_code", "signal", "lifetime", NULL };
static const char *const offcpu_fields[] = { "state", "state_name", "state_code", "stack_id", "kstack", NULL };
static const char *const no_fields[] = { NULL };

static const char *const *kind_fields(unsigned kind)
{
	switch (kind) {
	case KT_EXEC_ENTER: return exec_enter_fields;
	case KT_EXEC_EXIT:  return exec_exit_fields;
	case KT_EXIT:       return exit_fields;
	case KT_FORK: case KT_VFORK: case KT_THREAD: return child_fields;
	case KT_FORK_EXIT: case KT_VFORK_EXIT: case KT_THREAD_EXIT: return child_exit_fields;
	case KT_OFFCPU:     return offcpu_fields;
	default:            return no_fields;
	}
}

static int event_totable(lua_State *L)
{
	struct event_ud *e = check_event(L);
	const char *const *lists[2] = { common_fields, kind_fields(((const struct kt_header *)e->rec)->kind) };

	lua_newtable(L);
	for (int l = 0; l < 2; l++)
		for (const char *const *f = lists[l]; *f; f++)
			if (push_field(L, e, *f))
				lua_setfield(L, -2, *f);
	return 1;
}

static int event_index(lua_State *L)
{
	struct event_ud *e = check_event(L);
	const char *k = luaL_checkstring(L, 2);

	if (!strcmp(k, "totable")) {
		lua_pushcfunction(L, event_totable);
		return 1;
	}
	if (!push_field(L, e, k))
		lua_pushnil(L);
	return 1;
}

static int event_tostring(lua_State *L)
{
	struct event_ud *e = luaL_checkudata(L, 1, EVENT_MT);
	const struct kt_header *h = e->rec;

	if (!h)
		lua_pushstring(L, "keytime.event (expired)");
	else
		lua_pushfstring(L, "keytime.event %s pid=%d tgid=%d comm=%s",
				kt_kind_table_name(h->kind), (int)h->pid, (int)h->tgid, h->comm);
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
	lua_pushcfunction(L, event_index);
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
	lua_setfield(L, LUA_REGISTRYINDEX, "keytime.current_event");
}

void kt_event_push(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, "keytime.current_event");
}

void kt_event_bind(lua_State *L, const void *rec, size_t size)
{
	struct event_ud *e;

	kt_event_push(L);
	e = lua_touserdata(L, -1);
	e->rec = rec;
	e->size = size;
	lua_pop(L, 1);
}

void kt_event_unbind(lua_State *L)
{
	kt_event_bind(L, NULL, 0);
}
