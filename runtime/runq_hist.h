/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Run-queue latency histograms kept by the probes (runq_hist.c):
 * kt.filter.runq_hist turns them on, kt.runq_hist() reads them. */
#ifndef KT_RUNQ_HIST_H
#define KT_RUNQ_HIST_H
#include <lua.h>

struct kt_session;

/* kt.filter.runq_hist = "process" | "thread" | "cgroup" | false: the value at index
 * v. Raises a Lua error on a bad value or in a replay. */
int kt_runq_hist_switch(lua_State *L, struct kt_session *s, int v);
/* Pushes kt.filter.runq_hist's value: "process", "thread", "cgroup" or false. */
void kt_runq_hist_push_mode(lua_State *L, struct kt_session *s);
/* kt.runq_hist([how]) (kt_api_functions, the session as upvalue 1). */
int kt_runq_hist_lua(lua_State *L);

#endif
