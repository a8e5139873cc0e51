// SPDX-License-Identifier: GPL-2.0-or-later
/* Every call from the host into the script (lua_call.h): the message
 * handler that adds a traceback, Ctrl-C at the next instruction, and what
 * an error does to the run. */
#include <stdio.h>
#include <lua.h>
#include <lauxlib.h>
#include "session.h"
#include "guard.h"
#include "lua_call.h"
#include "warn.h"

#define EXIT_MARK "keytime.exit"     /* error value raised by os.exit() */
#define ERRORS_SEEN "keytime.errors_seen"  /* registry: handler errors shown once */

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
		kt_warn("%s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return;   /* the REPL reports it and goes on, keeping its state */
	}
	/* A signal that ends the run cut this call short: said, but it is the
	 * end asked for, not the script's error (the exit status stays). */
	if (s->stopped_in_lua && !s->loading) {
		kt_warn("%s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return;
	}
	/* The main chunk's errors, --strict, and a runaway script end the run. */
	if (s->loading || s->opts->strict || s->runaway) {
		kt_warn("%s", lua_tostring(L, -1));
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
		kt_warn("%s\n(tracing goes on; this error is counted, not shown again)",
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
bool kt_lua_pcall_at(struct kt_session *s, int nargs, int msgh)
{
	lua_State *L = s->L;
	int r;

	kt_guard_enter();
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

void kt_lua_push_msgh(struct kt_session *s)
{
	lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->traceback_ref);
}

bool kt_lua_pcall(struct kt_session *s, int nargs)
{
	lua_State *L = s->L;
	int base = lua_gettop(L) - nargs;
	bool ok;

	kt_lua_push_msgh(s);
	lua_insert(L, base);
	ok = kt_lua_pcall_at(s, nargs, base);
	lua_remove(L, base);   /* the message handler */
	return ok;
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

void kt_lua_call_init(struct kt_session *s)
{
	lua_State *L = s->L;

	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, ERRORS_SEEN);
	lua_pushcfunction(L, traceback);
	s->traceback_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_getglobal(L, "os");
	lua_pushcfunction(L, os_exit);
	lua_setfield(L, -2, "exit");
	lua_pop(L, 1);
}
