/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Lua state of a run (lua_state.c). */
#ifndef KT_LUA_STATE_H
#define KT_LUA_STATE_H
#include "lua_api.h"

struct kt_session;

int kt_lua_open(struct kt_session *s);                  /* creates s->L with `kt` */
int kt_lua_run_script(struct kt_session *s);            /* loads and runs the main chunk */
void kt_lua_close(struct kt_session *s);

/* kt's fields that are not functions (struct kt_api_name, lua_api.h). */
extern const struct kt_api_name kt_api_values[];

#endif
