/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Off-CPU time by (wakee, waker) pair kept by the probes (offwake.c):
 * kt.filter.offwake turns it on, kt.offwake() reads it. */
#ifndef KT_OFFWAKE_H
#define KT_OFFWAKE_H
#include <lua.h>

struct kt_session;

/* kt.filter.offwake = true | false: the value at index v. Raises a Lua
 * error on a bad value or in a replay. */
int kt_offwake_switch(lua_State *L, struct kt_session *s, int v);
/* Pushes kt.filter.offwake's value. */
void kt_offwake_push_mode(lua_State *L, struct kt_session *s);
/* kt.offwake([how]) (kt_api_functions, the session as upvalue 1). */
int kt_offwake_lua(lua_State *L);

#endif
