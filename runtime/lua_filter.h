/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kt.filter: the targets and the switches as a Lua object (lua_filter.c). */
#ifndef KT_LUA_FILTER_H
#define KT_LUA_FILTER_H
#include <lua.h>
#include "lua_api.h"

struct kt_session;

/* Pushes the kt.filter object. */
void kt_filter_register(lua_State *L, struct kt_session *s);
/* Pushes the targets as kt.filter:list() returns them. */
void kt_filter_push_list(lua_State *L, struct kt_session *s);
/* Its methods (fn set) and switches (fn NULL), ending with a NULL name. */
extern const struct kt_api_name kt_filter_names[];

#endif
