/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The script's handlers: kt.on() and the lists it fills, one per event
 * kind ([0]: "*"), then "end", "lost" and "targets" (handlers.c). Handlers
 * may add and remove handlers while a list runs. */
#ifndef KT_HANDLERS_H
#define KT_HANDLERS_H
#include <stddef.h>
#include <stdint.h>
#include <lua.h>

struct kt_session;

/* kt.on's names besides the event kinds (events.h): "*", "end", "lost",
 * "targets"; the last has a NULL name. */
struct kt_handler_list {
	const char *name;
	int list;
	const char *help;       /* what the handler is called with, and when */
};
extern const struct kt_handler_list kt_handler_lists[];

void kt_handlers_init(struct kt_session *s);   /* the empty lists, on a new state */
/* kt.on(kind, fn) -> subscription with :off(). */
int kt_on(lua_State *L);
/* A record to the handlers of its kind, then to those of "*". */
void kt_lua_dispatch(struct kt_session *s, const void *rec, size_t size);
/* The "lost" handlers: fn(new, total). */
void kt_lua_call_lost(struct kt_session *s, uint64_t new_lost, uint64_t total);
/* The "lost" handlers again, for tasks not traced: fn(new, total, "untraced"). */
void kt_lua_call_untraced(struct kt_session *s, uint64_t new_untraced, uint64_t total);
/* After keytime-ctl changed the policy: fn(targets). */
void kt_lua_call_targets(struct kt_session *s);
/* The end hook: fn(kt.stats()), once, unless a script error ended the run. */
void kt_lua_call_end(struct kt_session *s);

#endif
