/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kt.every() and kt.after(), on the run's clock (timers.c). */
#ifndef KT_TIMERS_H
#define KT_TIMERS_H
#include <stdint.h>
#include <lua.h>

struct kt_session;

int kt_every(lua_State *L);   /* kt.every(ms, fn) -> timer with :cancel() */
int kt_after(lua_State *L);   /* kt.after(ms, fn) -> timer with :cancel() */
/* Runs the timers due at now (the run's clock). */
void kt_lua_run_timers(struct kt_session *s, uint64_t now);
uint64_t kt_lua_next_timer(struct kt_session *s);      /* UINT64_MAX if none */

#endif
