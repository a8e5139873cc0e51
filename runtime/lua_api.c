// SPDX-License-Identifier: GPL-2.0-or-later
/* The kt module's functions (lua_api.h): the one table of their names,
 * which the runtime registers and :help, completion and the docs test read. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <lua.h>
#include <lauxlib.h>
#include "session.h"
#include "lua_api.h"
#include "handlers.h"
#include "timers.h"
#include "stats.h"
#include "source.h"
#include "events.h"
#include "ksyms.h"
#include "emit.h"
#include "lua_backlog.h"
#include "runq_hist.h"
#include "offwake.h"

static struct kt_session *session(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

static int kt_stats(lua_State *L)
{
	kt_stats_push(session(L));
	return 1;
}

static int kt_stop(lua_State *L)
{
	struct kt_session *s = session(L);

	s->exit_status = (int)luaL_optinteger(L, 1, 0);
	s->stop = 1;
	return 0;
}

static int kt_now(lua_State *L)
{
	lua_pushinteger(L, kt_script_now(session(L)));
	return 1;
}

/* kt.wallclock(ns) -> seconds since the epoch (a float) of a monotonic time. */
static int kt_wallclock(lua_State *L)
{
	struct kt_session *s = session(L);
	lua_Integer ns = luaL_checkinteger(L, 1);

	lua_pushnumber(L, (lua_Number)(ns + s->mono_to_real_ns) / 1e9);
	return 1;
}

/* kt.strftime(fmt, ns): local time of a monotonic event time; %f is the
 * microseconds, as in bpftrace. */
static int kt_strftime(lua_State *L)
{
	struct kt_session *s = session(L);
	const char *fmt = luaL_checkstring(L, 1);
	lua_Integer ns = luaL_checkinteger(L, 2) + s->mono_to_real_ns;
	time_t secs = ns / 1000000000;
	struct tm tm;
	char expanded[256], out[512], us[16];
	size_t j = 0;

	snprintf(us, sizeof(us), "%06lld", (long long)(ns % 1000000000) / 1000);
	for (size_t i = 0; fmt[i] && j < sizeof(expanded) - 8; i++) {
		if (fmt[i] == '%' && fmt[i + 1] == 'f') {
			memcpy(expanded + j, us, 6);
			j += 6;
			i++;
		} else {
			expanded[j++] = fmt[i];
			if (fmt[i] == '%' && fmt[i + 1])
				expanded[j++] = fmt[++i];
		}
	}
	expanded[j] = 0;
	localtime_r(&secs, &tm);
	strftime(out, sizeof(out), expanded, &tm);
	lua_pushstring(L, out);
	return 1;
}

static int kt_ksym(lua_State *L)
{
	struct kt_session *s = session(L);
	lua_Integer addr = luaL_checkinteger(L, 1);
	char buf[300];

	if (!s->ksyms)
		s->ksyms = kt_ksyms_load();
	lua_pushstring(L, kt_ksyms_format(s->ksyms, (uint64_t)addr, buf, sizeof(buf)));
	return 1;
}

static int kt_signame(lua_State *L)
{
	const char *n = kt_signal_name((int)luaL_checkinteger(L, 1));
	if (n)
		lua_pushstring(L, n);
	else
		lua_pushfstring(L, "SIG%d", (int)lua_tointeger(L, 1));
	return 1;
}

const struct kt_api_name kt_api_functions[] = {
	{ "on", kt_on, "(kind, fn)", "fn(e) for each event of a kind (below); returns sub with :off()" },
	{ "every", kt_every, "(ms, fn)", "fn() every ms milliseconds; returns a timer with :cancel()" },
	{ "after", kt_after, "(ms, fn)", "fn() once after ms milliseconds; returns a timer with :cancel()" },
	{ "stats", kt_stats, "()", "{events=, lost=, duration=, by_kind=, lost_by_kind=, untraced=}" },
	{ "stop", kt_stop, "([status])", "end the run (and the REPL)" },
	{ "now", kt_now, "()", "CLOCK_MONOTONIC ns now, the clock of e.time" },
	{ "wallclock", kt_wallclock, "(ns)", "seconds since the epoch of a monotonic time" },
	{ "strftime", kt_strftime, "(fmt, ns)", "local time of a monotonic time, as strftime(3); %f: microseconds" },
	{ "ksym", kt_ksym, "(addr)", "\"symbol+0xoff\" of a kernel address" },
	{ "signame", kt_signame, "(n)", "\"SIGKILL\" for 9" },
	{ "backlog", kt_lua_backlog, "([mb])", "let the handlers run behind a burst: events wait in keytime-run's memory (up to mb MB, 512) rather than being lost" },
	{ "runq_hist", kt_runq_hist_lua, "([\"reset\"|\"collect\"])", "the kernel's run-queue latency histograms (kt.filter.runq_hist): {[id]={comm=, count=, sum_ns=, slots={[bucket]=n}, cgroup=}}, not_counted" },
	{ "offwake", kt_offwake_lua, "([\"reset\"|\"collect\"])", "the kernel's off-CPU time by (wakee, waker) (kt.filter.offwake): {{comm=, tgid=, stack_id=, kstack=, ustack=, ns=, count=, waker={...}}, ...}, not_counted" },
	{ "emit", kt_lua_emit, "(format [, opts])", "the host writes each event as a line: \"json\" or \"table\" ({single_thread=, stack=, ustack=}); nil: stop" },
	{ NULL, NULL, NULL, NULL },
};
