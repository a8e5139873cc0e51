/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kt module's functions (lua_api.c). */
#ifndef KT_LUA_API_H
#define KT_LUA_API_H
#include <lua.h>

/* One name of an API surface, with its line of help: the kt functions
 * here, kt's other fields (lua_state.h), kt.filter's methods and switches
 * (lua_filter.h). The runtime registers from these tables; the REPL's
 * :help and completion and the docs test read them. */
struct kt_api_name {
	const char *name;       /* "on": kt.on */
	lua_CFunction fn;       /* NULL: a value, not a function */
	const char *args;       /* "(kind, fn)", or "" */
	const char *help;
};

/* kt.on, kt.every, ...: each called with the session as upvalue 1. Ends
 * with a NULL name. */
extern const struct kt_api_name kt_api_functions[];

#endif
