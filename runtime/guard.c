// SPDX-License-Identifier: GPL-2.0-or-later
/* Guards against runaway scripts: a watchdog that stops a handler (or main
 * chunk) that runs too long, and a memory limit through Lua's allocator.
 * Both stop the script at its next instruction with a message naming the
 * file and line; the run then ends cleanly. Neither costs anything per
 * event: the watchdog is a once-a-second timer signal. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/time.h>
#include <lua.h>
#include <lauxlib.h>
#include "session.h"
#include "guard.h"

static struct kt_session *guarded;
static uint64_t watched_call;      /* the call the watchdog has seen running */
static unsigned watched_seconds;
static bool ticking;               /* the timer is armed */

/* Raises the runaway error where the script is now. */
static void runaway_hook(lua_State *L, lua_Debug *ar)
{
	struct kt_session *s = guarded;
	lua_Debug here;
	char where[300] = "";

	(void)ar;
	lua_sethook(L, NULL, 0, 0);
	/* The innermost Lua line (the hook may fire inside a C function). */
	for (int level = 0; lua_getstack(L, level, &here); level++)
		if (lua_getinfo(L, "Sl", &here) && here.currentline > 0) {
			snprintf(where, sizeof(where), "%s:%d: ", here.short_src, here.currentline);
			break;
		}
	if (s->runaway == KT_RUNAWAY_MEMORY)
		luaL_error(L, "%smemory limit of %d MB reached: script stopped (raise it with --memory-limit MB)",
			   where, s->opts->memory_limit_mb);
	luaL_error(L, "%sthe script ran for more than %d s without returning: stopped "
		   "(raise the limit with --handler-timeout SEC)", where, s->opts->handler_timeout_s);
}

static void stop_script(struct kt_session *s, int why)
{
	s->runaway = why;
	lua_sethook(s->L, runaway_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

static void on_alarm(int sig)
{
	struct kt_session *s = guarded;

	(void)sig;
	if (!s || !s->in_lua || s->runaway) {
		watched_call = 0;
		return;
	}
	if (s->call_seq != watched_call) {
		watched_call = s->call_seq;
		watched_seconds = 0;
		return;
	}
	if (++watched_seconds >= (unsigned)s->opts->handler_timeout_s)
		stop_script(s, KT_RUNAWAY_TIME);
}

void kt_guard_start(struct kt_session *s)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	guarded = s;
	if (s->opts->handler_timeout_s <= 0)
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	kt_guard_resume();
}

void kt_guard_stop(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	ticking = false;
}

/* While the loop sleeps with no script running, the watchdog need not
 * tick: a tracer with nothing to do wakes for nothing. */
void kt_guard_pause(void)
{
	if (guarded && guarded->opts->handler_timeout_s > 0)
		kt_guard_stop();
}

void kt_guard_resume(void)
{
	struct itimerval every_second = { { 1, 0 }, { 1, 0 } };

	if (!ticking && guarded && guarded->opts->handler_timeout_s > 0) {
		setitimer(ITIMER_REAL, &every_second, NULL);
		ticking = true;
	}
}

/* Every call into the script: the records that wake a sleeping loop are
 * handed to the script inside the very poll that slept, so the call that
 * finds the watchdog paused arms it again (a handler that never returned
 * there once ran with no watchdog at all). */
void kt_guard_enter(void)
{
	if (!ticking)
		kt_guard_resume();
}

/* Lua's allocator, counting. Past the limit the script is stopped at its
 * next instruction (so the message has a line); far past it, allocations
 * fail outright. */
void *kt_guard_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct kt_session *s = ud;
	size_t limit = (size_t)s->opts->memory_limit_mb << 20;
	size_t old = ptr ? osize : 0;
	void *p;

	if (nsize == 0) {
		free(ptr);
		s->lua_bytes -= old;
		return NULL;
	}
	if (limit && s->lua_bytes - old + nsize > limit) {
		if (s->lua_bytes - old + nsize > limit + limit / 4 + (16u << 20))
			return NULL;
		if (!s->runaway && s->L)
			stop_script(s, KT_RUNAWAY_MEMORY);
	}
	if (!(p = realloc(ptr, nsize)))
		return NULL;
	s->lua_bytes += nsize - old;
	return p;
}
