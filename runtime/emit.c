// SPDX-License-Identifier: GPL-2.0-or-later
/* kt.emit(format [, opts]): every event, written by the host as one line to
 * the script's output (stdout, or -o's file) in C straight from the record,
 * before the script's own handlers for it run. What keytime.lua prints, at
 * a few hundred nanoseconds an event instead of the microseconds a Lua
 * handler formatting the same line takes (bench/RESULTS.md, host path).
 *   "json":  e:json() (event_json.h)
 *   "table": format.lua's row() (event_row.h); opts.single_thread drops the
 *            TGID column, opts.stack puts each offCPU's kernel stack under it
 * kt.emit(nil) stops it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "emit.h"
#include "session.h"
#include "demand.h"
#include "event_json.h"
#include "event_row.h"
#include "stacks.h"
#include "ustacks.h"
#include "event_fields.h"
#include "warn.h"

enum emit_format { EMIT_JSON, EMIT_TABLE };

struct kt_emit {
	enum emit_format format;
	bool single_thread, stack, ustack;
	struct kt_json_buf line;      /* reused: as long as the longest line */
	struct kt_row_clock clock;
	bool failed;                  /* out of memory once: said, then stopped */
};

static int stack_frames(void *ctx, const struct kt_value *v, const char *frames[KT_STACK_DEPTH])
{
	if (v->type == KT_V_USTACK)
		return kt_ustack_frames(ctx, (int32_t)v->i, (uint32_t)v->len, frames);
	return kt_stack_frames(ctx, (int32_t)v->i, frames);
}

static bool opt_flag(lua_State *L, int opts, const char *name)
{
	bool on;

	if (lua_isnoneornil(L, opts))
		return false;
	lua_getfield(L, opts, name);
	on = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return on;
}

int kt_lua_emit(lua_State *L)
{
	struct kt_session *s = lua_touserdata(L, lua_upvalueindex(1));
	static const char *const formats[] = { "json", "table", NULL };
	struct kt_emit *e;
	int format, err;

	if (lua_isnoneornil(L, 1)) {
		kt_emit_free(s);
		return 0;
	}
	format = luaL_checkoption(L, 1, NULL, formats);
	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TTABLE);
	if ((err = kt_demand_subscribed(s, KT_DEMAND_ANY)))
		return luaL_error(L, "kt.emit: cannot attach the probes: %s", strerror(-err));
	if (!s->emit && !(s->emit = calloc(1, sizeof(*s->emit))))
		return luaL_error(L, "kt.emit: out of memory");
	e = s->emit;
	e->format = format == 0 ? EMIT_JSON : EMIT_TABLE;
	e->single_thread = opt_flag(L, 2, "single_thread");
	e->stack = opt_flag(L, 2, "stack");
	e->ustack = opt_flag(L, 2, "ustack");
	return 0;
}

static int put_list(struct kt_json_buf *b, const char *const *frames, int n)
{
	for (int i = 0; i < n; i++)
		if (kt_json_raw(b, "\n        ", 9) || kt_json_raw(b, frames[i], strlen(frames[i])))
			return -1;
	return 0;
}

/* The kernel stack (kernel), then the user stack (user), under an offCPU
 * row, a frame a line. */
static int put_frames(struct kt_session *s, struct kt_json_buf *b, const void *rec,
		      bool kernel, bool user)
{
	const struct kt_switch *x = rec;
	const char *frames[KT_STACK_DEPTH];

	if (x->hdr.kind != KT_OFFCPU)
		return 0;
	if (kernel && x->stack_id >= 0 && put_list(b, frames, kt_stack_frames(s, x->stack_id, frames)))
		return -1;
	if (user && put_list(b, frames, kt_ustack_frames(s, x->ustack, x->hdr.tgid, frames)))
		return -1;
	return 0;
}

void kt_emit_event(struct kt_session *s, const void *rec)
{
	struct kt_emit *e = s->emit;
	int err;

	if (!e || e->failed)
		return;
	e->line.len = 0;
	if (e->format == EMIT_JSON)
		err = kt_event_json(&e->line, rec, stack_frames, s);
	else
		err = kt_event_row(&e->line, rec, e->single_thread, s->mono_to_real_ns, &e->clock) ||
		      ((e->stack || e->ustack) && put_frames(s, &e->line, rec, e->stack, e->ustack));
	if (err || kt_json_raw(&e->line, "\n", 1)) {
		kt_warn("kt.emit: out of memory; no more lines are written");
		e->failed = true;
		return;
	}
	fwrite(e->line.data, 1, e->line.len, stdout);
}

void kt_emit_free(struct kt_session *s)
{
	if (!s->emit)
		return;
	kt_json_buf_free(&s->emit->line);
	free(s->emit);
	s->emit = NULL;
}
