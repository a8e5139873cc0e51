/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every call from the host into the script: protected, with a traceback,
 * interruptible, its errors reported (lua_call.c), in the manner of lua.c. */
#ifndef KT_LUA_CALL_H
#define KT_LUA_CALL_H
#include <stdbool.h>

struct kt_session;

/* The message handler and the error registry, os.exit() made to end the
 * run instead of the process: once, on a new Lua state. */
void kt_lua_call_init(struct kt_session *s);
/* Calls the function under nargs arguments at the top, as handlers are
 * called (traceback, Ctrl-C); false after an error, already reported. */
bool kt_lua_pcall(struct kt_session *s, int nargs);
/* The same with the message handler already at stack index msgh, for a
 * caller that makes many calls (handlers.c). */
bool kt_lua_pcall_at(struct kt_session *s, int nargs, int msgh);
/* Pushes the message handler. */
void kt_lua_push_msgh(struct kt_session *s);
/* Stops the running call at its next instruction: from a signal handler. */
void kt_lua_interrupt(struct kt_session *s);

#endif
