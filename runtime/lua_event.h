/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event userdata handlers receive (lua_event.c). */
#ifndef KT_LUA_EVENT_H
#define KT_LUA_EVENT_H
#include <stddef.h>
#include <lua.h>

struct kt_session;

void kt_event_register(lua_State *L, struct kt_session *s);
void kt_event_push(lua_State *L);                       /* the reusable event object */
void kt_event_bind(lua_State *L, const void *rec, size_t size);
void kt_event_unbind(lua_State *L);

#endif
