/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kt.backlog([mb]): the script's handlers may run behind the events (lua_backlog.c). */
#ifndef KT_LUA_BACKLOG_H
#define KT_LUA_BACKLOG_H
#include <lua.h>

struct kt_session;

/* kt.backlog([mb]); upvalue 1: the session. */
int kt_lua_backlog(lua_State *L);
void kt_lua_backlog_free(struct kt_session *s);

#endif
