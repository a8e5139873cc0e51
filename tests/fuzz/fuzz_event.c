// SPDX-License-Identifier: GPL-2.0-or-later
/* Where a ring-buffer record becomes a Lua event (runtime/lua_event.c): any
 * bytes that pass the loop's check (kt_record_valid) are bound to the event
 * object, and a handler reads every field, e:totable(), tostring(e) and
 * e:json() (one line of valid UTF-8, whatever bytes the record holds). */
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "fuzz.h"
#include "session.h"
#include "lua_event.h"
#include "events.h"
#include "stacks.h"

/* The handler: touches everything a script can read. */
static const char handler[] =
	"local names = {'kind','name','time','cpu','pid','tgid','ppid','comm',"
	"  'filename','argv','argc','argv_truncated','ret','exit_code','signal',"
	"  'core_dumped','group_dead','start_time','lifetime','child_pid','child_tgid',"
	"  'clone_flags','state','state_name','state_code','stack_id','kstack','nope'}\n"
	"local handler = function(e)\n"
	"  for _, k in ipairs(names) do local v = e[k] end\n"
	"  local t = e:totable()\n"
	"  if t.argv then for i = 1, #t.argv do assert(type(t.argv[i]) == 'string') end end\n"
	"  assert(type(tostring(e)) == 'string')\n"
	"  local j = e:json()\n"
	"  assert(j:sub(1, 1) == '{' and j:sub(-1) == '}' and utf8.len(j) and not j:find('[%c]'))\n"
	"  assert(not pcall(function() e.pid = 1 end))\n"
	"end\n"
	"local expired = function(e)\n"
	"  assert(not pcall(function() return e.pid end))\n"
	"  assert(tostring(e) == 'keytime.event (expired)')\n"
	"end\n"
	"return handler, expired\n";

/* Stacks come from the probes' stack map (stacks.c), not loaded here: every
 * stack is unknown, and e.kstack is {}. */
int kt_stack_frames(struct kt_session *s, int32_t stack_id, const char *frames[KT_STACK_DEPTH])
{
	return 0;
}

int kt_ustack_frames(struct kt_session *s, int32_t ustack, uint32_t tgid,
		     const char *frames[KT_STACK_DEPTH])
{
	return 0;
}

static lua_State *L;
static struct kt_session session;

static void setup(void)
{
	L = luaL_newstate();
	luaL_openlibs(L);
	session.L = L;
	kt_event_register(L, &session);
	if (luaL_loadstring(L, handler) || lua_pcall(L, 0, 2, 0)) {
		fprintf(stderr, "fuzz_event: %s\n", lua_tostring(L, -1));
		abort();
	}
	lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.expired");
	lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.handler");
}

/* Calls registry function `name` on the event object. */
static void call(const char *name)
{
	lua_getfield(L, LUA_REGISTRYINDEX, name);
	kt_event_push(L);
	if (lua_pcall(L, 1, 0, 0)) {
		fprintf(stderr, "fuzz_event: %s failed: %s\n", name, lua_tostring(L, -1));
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *rec;

	if (!L)
		setup();
	if (!kt_record_valid(data, size))
		return 0;
	/* An exact-size copy, as the ring buffer hands records out. */
	if (!(rec = malloc(size)))
		return 0;
	memcpy(rec, data, size);
	kt_event_bind(L, rec, size);
	call("fuzz.handler");
	kt_event_unbind(L);
	free(rec);
	call("fuzz.expired");   /* outside its handler the event refuses to be read */
	return 0;
}
