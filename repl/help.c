/* The Lua API one line each, for :help; completion offers the same names
 * (kt.filter is a C object whose fields cannot be listed from Lua). The
 * whole story is in docs/lua-api.md. */
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include "repl.h"

const struct kt_help_entry kt_help[] = {
	{ "kt.on", "(kind, fn)", "fn(e) for each event of a kind (fork, exec, exit, ..., \"*\"); returns sub" },
	{ "sub:off", "()", "stop a subscription" },
	{ "kt.on", "(\"end\", fn)", "fn(stats) once, when the run ends" },
	{ "kt.on", "(\"lost\", fn)", "fn(new, total) when events were lost (ring buffer full)" },
	{ "kt.on", "(\"targets\", fn)", "fn(list) after keytime-ctl changed the targets" },
	{ "e:totable", "()", "a plain copy of an event (e is valid only in its handler)" },
	{ "kt.filter:add_pid", "(pid [, {follow=true}])", "trace one thread" },
	{ "kt.filter:add_tgid", "(tgid [, {follow=true}])", "trace a process; follow: its descendants too" },
	{ "kt.filter:remove_pid", "(pid)", "stop tracing a thread" },
	{ "kt.filter:remove_tgid", "(tgid)", "stop tracing a process" },
	{ "kt.filter:list", "()", "the targets: {type=\"pid\"|\"tgid\", id=, follow=, auto=}" },
	{ "kt.filter:clear", "()", "remove every target" },
	{ "kt.filter.active", "", "switch: collecting at all" },
	{ "kt.filter.all", "", "switch: every process is a target" },
	{ "kt.filter.cpu", "", "switch: onCPU/offCPU events" },
	{ "kt.filter.follow", "", "switch: the targets' descendants become targets" },
	{ "kt.filter.myproc", "", "switch: keytime-run's own process may be traced" },
	{ "kt.filter.stacks", "", "switch: kernel stacks at offCPU (e.kstack)" },
	{ "kt.now", "()", "CLOCK_MONOTONIC ns now, the clock of e.time" },
	{ "kt.wallclock", "(ns)", "seconds since the epoch of a monotonic time" },
	{ "kt.strftime", "(fmt, ns)", "local time of a monotonic time, as strftime(3); %f: microseconds" },
	{ "kt.every", "(ms, fn)", "fn() every ms milliseconds; returns a timer with :cancel()" },
	{ "kt.after", "(ms, fn)", "fn() once after ms milliseconds; returns a timer with :cancel()" },
	{ "kt.stats", "()", "{events=, lost=, duration=, by_kind=, lost_by_kind=}" },
	{ "kt.stop", "([status])", "end the run (and the REPL)" },
	{ "kt.ksym", "(addr)", "\"symbol+0xoff\" of a kernel address" },
	{ "kt.signame", "(n)", "\"SIGKILL\" for 9" },
	{ "kt.args", "", "the script's arguments" },
	{ "kt.script", "", "the script's path" },
	{ "kt.opts", "", "the command line: pid, tgid, cmd, all, follow, myproc, cpu, duration" },
	{ "kt.pid", "", "keytime-run's own process id" },
	{ "kt.version", "", "keytime's version" },
	{ ":help", "", "this list" },
	{ ":load", " FILE", "run a Lua file in this session" },
	{ ":targets", "", "the filter map: switches and targets" },
	{ ":stats", "", "events delivered and lost, per kind" },
	{ ":quit", "", "leave (so does Ctrl-D); Ctrl-C interrupts" },
	{ NULL, NULL, NULL },
};

static bool documented(const char *field)
{
	size_t n = strlen(field);

	for (const struct kt_help_entry *h = kt_help; h->name; h++)
		if (!strncmp(h->name, "kt.", 3) && !strncmp(h->name + 3, field, n) &&
		    strchr(".:", h->name[3 + n]))
			return true;
	return false;
}

void kt_help_print(lua_State *L, int kt_idx, FILE *out)
{
	char head[96];

	for (const struct kt_help_entry *h = kt_help; h->name; h++) {
		snprintf(head, sizeof(head), "%s%s", h->name, h->args);
		fprintf(out, "%-42s %s\n", head, h->what);
	}
	/* What the host has grown since this list was written. */
	if (lua_type(L, kt_idx) != LUA_TTABLE)
		return;
	lua_pushnil(L);
	while (lua_next(L, kt_idx)) {   /* key, value */
		if (lua_type(L, -2) == LUA_TSTRING && !documented(lua_tostring(L, -2)))
			fprintf(out, "kt.%-39s (a %s, see docs/lua-api.md)\n",
				lua_tostring(L, -2), luaL_typename(L, -1));
		lua_pop(L, 1);
	}
}
