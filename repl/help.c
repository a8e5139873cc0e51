// SPDX-License-Identifier: GPL-2.0-or-later
/* :help, one line per name, and the names completion offers: read from the
 * API's own tables (kt's functions and fields, the event kinds and kt.on's
 * other names, kt.filter's methods and switches); here only the REPL's
 * commands and the methods of the objects the API returns. The whole
 * story is in docs/lua-api.md. */
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include "repl.h"
#include "lua_api.h"
#include "lua_state.h"
#include "lua_filter.h"
#include "handlers.h"
#include "events.h"

const struct kt_help_entry kt_repl_commands[] = {
	{ ":help", "", "this list" },
	{ ":load", " FILE", "run a Lua file in this session" },
	{ ":targets", "", "the filter map: switches and targets" },
	{ ":stats", "", "events delivered and lost, per kind" },
	{ ":quit", "", "leave (so does Ctrl-D); Ctrl-C interrupts" },
	{ NULL, NULL, NULL },
};

static const struct kt_help_entry objects[] = {
	{ "sub:off", "()", "stop a subscription (kt.on's)" },
	{ "timer:cancel", "()", "stop a timer (kt.every's, kt.after's)" },
	{ "e:totable", "()", "a plain copy of an event (e is valid only in its handler)" },
	{ NULL, NULL, NULL },
};

static void each_entry(const struct kt_help_entry *list, kt_help_fn fn, void *arg)
{
	for (const struct kt_help_entry *h = list; h->name; h++)
		fn(h->name, h->args, h->what, arg);
}

/* kt.on's names, each as kt.on("name", fn). */
static void each_event(kt_help_fn fn, void *arg)
{
	char args[48];

	for (unsigned k = 1; k < KT_KIND_MAX; k++) {
		snprintf(args, sizeof(args), "(\"%s\", fn)", kt_kind_name(k));
		fn("kt.on", args, kt_kind_help(k), arg);
	}
	for (const struct kt_handler_list *l = kt_handler_lists; l->name; l++) {
		snprintf(args, sizeof(args), "(\"%s\", fn)", l->name);
		fn("kt.on", args, l->help, arg);
	}
}

void kt_help_each(kt_help_fn fn, void *arg)
{
	for (const struct kt_api_name *n = kt_api_functions; n->name; n++) {
		char name[64];
		snprintf(name, sizeof(name), "kt.%s", n->name);
		fn(name, n->args, n->help, arg);
		if (n->fn == kt_on)
			each_event(fn, arg);
	}
	each_entry(objects, fn, arg);
	for (const struct kt_api_name *n = kt_api_values; n->name; n++) {
		char name[64];
		snprintf(name, sizeof(name), "kt.%s", n->name);
		fn(name, n->args, n->help, arg);
	}
	for (const struct kt_api_name *n = kt_filter_names; n->name; n++) {
		char name[64];
		snprintf(name, sizeof(name), "kt.filter%s%s", n->fn ? ":" : ".", n->name);
		fn(name, n->args, n->help, arg);
	}
	each_entry(kt_repl_commands, fn, arg);
}

static bool in_table(const struct kt_api_name *list, const char *name)
{
	for (const struct kt_api_name *n = list; n->name; n++)
		if (!strcmp(n->name, name))
			return true;
	return false;
}

static void print_line(const char *name, const char *args, const char *what, void *arg)
{
	char head[96];

	snprintf(head, sizeof(head), "%s%s", name, args);
	fprintf(arg, "%-42s %s\n", head, what);
}

void kt_help_print(lua_State *L, int kt_idx, FILE *out)
{
	kt_help_each(print_line, out);
	/* A field a script or module added to kt. */
	if (lua_type(L, kt_idx) != LUA_TTABLE)
		return;
	lua_pushnil(L);
	while (lua_next(L, kt_idx)) {   /* key, value */
		const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		if (k && !in_table(kt_api_functions, k) && !in_table(kt_api_values, k))
			fprintf(out, "kt.%-39s (a %s)\n", k, luaL_typename(L, -1));
		lua_pop(L, 1);
	}
}
