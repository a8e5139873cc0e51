// SPDX-License-Identifier: GPL-2.0-or-later
/* kt.backlog([mb]): for a script that may fall behind a burst of events
 * and would rather see them late than lose them (timeline.lua keeps the
 * whole run until the end anyway). The reader then copies each record out
 * of the ring buffer as it comes (backlog.c) and hands the copies to the
 * handlers, in order, between drains of the ring buffer (loop.c), so the
 * ring buffer only has to hold what comes while one slice of them runs.
 * At most mb megabytes (512) wait; more are dropped and counted as lost.
 * A replay has no ring buffer: there it changes nothing. */
#include <stdlib.h>
#include <lauxlib.h>
#include "session.h"
#include "source.h"
#include "backlog.h"
#include "lua_backlog.h"

#define DEFAULT_MB 512

int kt_lua_backlog(lua_State *L)
{
	struct kt_session *s = lua_touserdata(L, lua_upvalueindex(1));
	lua_Integer mb = luaL_optinteger(L, 1, DEFAULT_MB);

	if (mb < 1 || mb > (1 << 20))
		return luaL_argerror(L, 1, "megabytes from 1 to 1048576");
	if (s->source->recorded)
		return 0;
	if (!s->backlog) {
		if (!(s->backlog = malloc(sizeof(*s->backlog))))
			return luaL_error(L, "kt.backlog: out of memory");
		kt_backlog_init(s->backlog, (size_t)mb << 20);
	}
	s->backlog->limit = (size_t)mb << 20;
	return 0;
}

void kt_lua_backlog_free(struct kt_session *s)
{
	if (!s->backlog)
		return;
	kt_backlog_free(s->backlog);
	free(s->backlog);
	s->backlog = NULL;
}
