/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kt.emit(format): the host writes each event as a line, in C (emit.c). */
#ifndef KT_EMIT_H
#define KT_EMIT_H
#include <lua.h>

struct kt_session;

/* kt.emit(format [, opts]); upvalue 1: the session. */
int kt_lua_emit(lua_State *L);
/* Writes rec's line if the script asked for lines; before its handlers. */
void kt_emit_event(struct kt_session *s, const void *rec);
void kt_emit_free(struct kt_session *s);

#endif
