// SPDX-License-Identifier: GPL-2.0-or-later
/* The Lua state of a run (lua_state.h): the standard libraries, the kt
 * module with its tables (opts, args, features, filter), the event object,
 * the module path; loading and running the script's main chunk. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "session.h"
#include "lua_state.h"
#include "lua_api.h"
#include "lua_call.h"
#include "lua_event.h"
#include "lua_filter.h"
#include "handlers.h"
#include "guard.h"
#include "source.h"
#include "script_path.h"
#include "warn.h"
#include "metrics_serve.h"
#include "emit.h"
#include "lua_backlog.h"

const struct kt_api_name kt_api_values[] = {
	{ "filter", NULL, "", "the targets and the switches (kt.filter.*, below)" },
	{ "opts", NULL, "", "the command line: pid, tgid, cmd, all, follow, myproc, cpu, duration" },
	{ "args", NULL, "", "the script's arguments (also the global arg)" },
	{ "script", NULL, "", "the script's path" },
	{ "version", NULL, "", "keytime's version" },
	{ "pid", NULL, "", "keytime-run's own process id" },
	{ "replaying", NULL, "", "true when the events come from a recording (--replay)" },
	{ "recording", NULL, "", "true when the run is recorded (--record)" },
	{ "features", NULL, "", "what this kernel let the probes do: cpu_events, exec_calls, ..." },
	{ "metrics", NULL, "", "Prometheus metrics: counter, gauge, histogram, listen (kt.metrics.*)" },
	{ NULL, NULL, NULL, NULL },
};

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
	kt_warn("unprotected Lua error: %s", lua_tostring(L, -1));
	fflush(stderr);
	return 0;   /* Lua then aborts */
}

/* kt.features: what this kernel let the probes do; a replay has every
 * event the recording has, and does not know the recording kernel's shapes. */
static void push_features(lua_State *L, struct kt_session *s)
{
	struct kt_features f = {0};
	bool known = s->source->features(s, &f);
	struct utsname u;

	lua_newtable(L);
	lua_pushboolean(L, f.cpu_events);
	lua_setfield(L, -2, "cpu_events");
	lua_pushboolean(L, f.exec_calls);
	lua_setfield(L, -2, "exec_calls");
	lua_pushboolean(L, f.wakeups);
	lua_setfield(L, -2, "wakeups");
	lua_pushboolean(L, f.ustacks);
	lua_setfield(L, -2, "ustacks");
	if (known) {
		lua_pushstring(L, f.exit_group_dead ? "tracepoint" : "derived");
		lua_setfield(L, -2, "group_dead");
		lua_pushstring(L, f.switch_prev_state ? "tracepoint" : "task");
		lua_setfield(L, -2, "switch_state");
		lua_pushboolean(L, f.rdonly_cast);
		lua_setfield(L, -2, "rdonly_cast");
		if (uname(&u) == 0) {
			lua_pushstring(L, u.release);
			lua_setfield(L, -2, "kernel");
		}
	}
}

int kt_lua_open(struct kt_session *s)
{
	lua_State *L = lua_newstate(kt_guard_alloc, s);

	if (!L)
		return -1;
	s->L = L;
	lua_atpanic(L, panic);
	luaL_openlibs(L);
	kt_lua_call_init(s);
	kt_handlers_init(s);

	kt_event_register(L, s);

	lua_newtable(L);                         /* kt */
	for (const struct kt_api_name *f = kt_api_functions; f->name; f++) {
		lua_pushlightuserdata(L, s);
		lua_pushcclosure(L, f->fn, 1);
		lua_setfield(L, -2, f->name);
	}
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
	lua_pushboolean(L, s->source->recorded);
	lua_setfield(L, -2, "replaying");      /* pids of a recording: no /proc for them */
	lua_pushboolean(L, s->opts->record != NULL);
	lua_setfield(L, -2, "recording");
	push_features(L, s);
	lua_setfield(L, -2, "features");
	kt_metrics_push_module(L, s);
	lua_setfield(L, -2, "metrics");
	lua_setglobal(L, "kt");

	set_module_path(L, s->opts->script);   /* none (the REPL): the current folder's */
	return 0;
}

int kt_lua_run_script(struct kt_session *s)
{
	const char *path = s->opts->script;
	bool r;

	if (access(path, R_OK)) {
		kt_warn("cannot read script %s: %s", path, strerror(errno));
		return -1;
	}
	if (luaL_loadfile(s->L, path) != LUA_OK) {
		kt_warn("%s", lua_tostring(s->L, -1));
		lua_pop(s->L, 1);
		return -1;
	}
	if (!s->script_start_ns)   /* a replay has the recorded one */
		s->script_start_ns = kt_now_ns(s);
	s->frozen_now = s->script_start_ns;
	s->loading = true;
	r = kt_lua_pcall(s, 0);
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
	kt_emit_free(s);
	kt_lua_backlog_free(s);
}
