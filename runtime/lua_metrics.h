/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kt.metrics (lua_metrics.c): the Lua face of runtime/metrics.c. */
#ifndef KT_LUA_METRICS_H
#define KT_LUA_METRICS_H
#include <lua.h>

struct kt_metrics;

/* Pushes the kt.metrics table, whose metrics go into m. */
void kt_metrics_lua_push(lua_State *L, struct kt_metrics *m);

#endif
