/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The interactive REPL (`keytime-run -i`): a Lua prompt on the live event
 * stream. The event loop (runtime/loop.c) waits through kt_repl_wait(), which
 * watches the ring buffer and the keyboard together. */
#ifndef KT_REPL_H
#define KT_REPL_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <lua.h>

struct kt_session;

/* The session at the prompt (repl.c). */
/* After the script (if any) ran: readline at a terminal, else lines from stdin. */
void kt_repl_open(struct kt_session *s);
/* The loop's wait: like kt_ring_poll() without reading the ring; reads and
 * runs the input that came meanwhile. 0, or -errno (-EINTR on a signal). */
int kt_repl_wait(struct kt_session *s, int timeout_ms);
/* Restores the terminal and the standard streams, saves the history. */
void kt_repl_close(struct kt_session *s);

/* Output above the prompt (output.c). While the prompt is on screen, what
 * is written to stdout or stderr first clears it; it is redrawn later. */
int kt_output_wrap(lua_State *L, bool colour);
void kt_output_unwrap(lua_State *L);
void kt_prompt_showing(bool on_screen);   /* readline's line is displayed */
void kt_prompt_clear(void);               /* before output */
void kt_prompt_redraw(void);              /* after output, before waiting */
void kt_prompt_abandon(void);             /* Ctrl-C: "^C", the line stays above */
bool kt_output_recent(uint64_t window_ns); /* anything written that recently */

/* Lua values as readable text (pretty.c): pushes the text of the value at idx. */
const char *kt_pretty_push(lua_State *L, int idx);

/* The API, one line each (help.c): for :help and for completion. */
struct kt_help_entry {
	const char *name;       /* "kt.filter:add_pid": what completion offers */
	const char *args;       /* "(pid [, {follow=true}])", or "" */
	const char *what;
};
extern const struct kt_help_entry kt_repl_commands[];   /* ":help", ... */
typedef void (*kt_help_fn)(const char *name, const char *args, const char *what, void *arg);
/* Calls fn for each name of the API and of the REPL, in :help's order. */
void kt_help_each(kt_help_fn fn, void *arg);
/* Prints the list, and the fields of the kt table at kt_idx it does not know. */
void kt_help_print(lua_State *L, int kt_idx, FILE *out);

/* Tab completion (complete.c): globals, their fields, the API's names. */
void kt_complete_init(lua_State *L);

#endif
