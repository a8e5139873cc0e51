// SPDX-License-Identifier: GPL-2.0-or-later
/* Off-CPU time by (wakee, waker) pair kept by the probes (kt_offwake,
 * bpf/offwake_map.h), so offwake.lua needs no switch or wake-up event at
 * all. The host keeps each pair's totals (offwake_table.c) and frees the
 * kernel's entries of processes that have gone once read (checked before
 * reading, so their last spells are in), which keeps the map's 16384
 * entries for the living. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "session.h"
#include "source.h"
#include "stacks.h"
#include "ustacks.h"
#include "offwake.h"
#include "offwake_table.h"
#include "grow.h"
#include "keytime.skel.h"
#include "lua_registry.h"

#define STATE_KEY "keytime.offwake"
#define NO_KERNEL_TOTALS(s) ((s)->source->recorded \
	? "in a replay: make them from offCPU, wakeup and onCPU events" : "without the probes")

static int state_gc(lua_State *L)
{
	kt_offwake_table_free(lua_touserdata(L, 1));
	return 0;
}

/* The host's side, kept in the registry, freed with the Lua state. */
static struct kt_offwake_table *state(lua_State *L)
{
	return kt_lua_registry_state(L, STATE_KEY, sizeof(struct kt_offwake_table), state_gc);
}

static bool process_gone(__u32 tgid)
{
	return kill((pid_t)tgid, 0) != 0 && errno == ESRCH;
}

/* Takes in the kernel's totals. 0, or -1 with errno (ENOMEM). */
static int collect(struct kt_session *s, struct kt_offwake_table *t)
{
	int fd = bpf_map__fd(s->probes.skel->maps.kt_offwake);
	struct kt_offwake_key key, next, *prev = NULL, *gone = NULL;
	struct kt_offwake_total v;
	size_t ngone = 0, capgone = 0;
	int r = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		bool was_gone = process_gone(key.tgid);   /* before reading: its last spells are in */
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		struct kt_offwake_pair *p = kt_offwake_table_get(t, &key);
		if (!p) {
			r = -1;
			break;
		}
		kt_offwake_table_take(p, &v);
		if (was_gone) {
			if (ngone == capgone && kt_grow(&gone, &capgone, sizeof(*gone), 16)) {
				r = -1;
				break;
			}
			gone[ngone++] = key;
		}
	}
	/* after the walk: a removal midway would start it again */
	for (size_t i = 0; i < ngone; i++) {
		struct kt_offwake_pair *p = kt_offwake_table_get(t, &gone[i]);
		if (bpf_map_delete_elem(fd, &gone[i]) == 0 && p)
			kt_offwake_table_removed(p);
	}
	free(gone);
	if (r)
		errno = ENOMEM;
	return r;
}

static void push_frames(lua_State *L, const char **frames, int n)
{
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushstring(L, frames[i]);
		lua_rawseti(L, -2, i + 1);
	}
}

/* One side of a pair: comm, tgid, stack_id, kstack, ustack (when asked). */
static void push_side(lua_State *L, struct kt_session *s, const char *comm, __u32 tgid,
		      __s32 kstack, __s32 ustack)
{
	const char *frames[KT_STACK_DEPTH];

	lua_pushlstring(L, comm, strnlen(comm, KT_COMM_LEN));
	lua_setfield(L, -2, "comm");
	lua_pushinteger(L, tgid);
	lua_setfield(L, -2, "tgid");
	lua_pushinteger(L, kstack);
	lua_setfield(L, -2, "stack_id");
	push_frames(L, frames, kt_stack_frames(s, kstack, frames));
	lua_setfield(L, -2, "kstack");
	if (ustack != KT_USTACK_NOT_ASKED) {
		push_frames(L, frames, kt_ustack_frames(s, ustack, tgid, frames));
		lua_setfield(L, -2, "ustack");
	}
}

/* { {comm=, tgid=, stack_id=, kstack=, ustack=, ns=, count=, waker={comm=,
 * tgid=, irq=, stack_id=, kstack=, ustack=}}, ... } for the pairs with a
 * spell counted. */
static void push_pairs(lua_State *L, struct kt_session *s, struct kt_offwake_table *t)
{
	lua_Integer n = 0;

	lua_newtable(L);
	for (size_t i = 0; i < t->n; i++) {
		struct kt_offwake_pair *p = &t->p[i];
		const struct kt_offwake_key *k = &p->key;

		if (!p->acc.count)
			continue;
		lua_createtable(L, 0, 8);
		push_side(L, s, k->comm, k->tgid, k->kstack, k->ustack);
		lua_pushinteger(L, (lua_Integer)p->acc.ns);
		lua_setfield(L, -2, "ns");
		lua_pushinteger(L, (lua_Integer)p->acc.count);
		lua_setfield(L, -2, "count");
		lua_createtable(L, 0, 6);
		push_side(L, s, k->waker_comm, k->waker_tgid, k->waker_kstack, k->waker_ustack);
		lua_pushboolean(L, k->flags & KT_WAKEUP_IRQ);
		lua_setfield(L, -2, "irq");
		lua_setfield(L, -2, "waker");
		lua_rawseti(L, -2, ++n);
	}
}

/* kt.offwake([how]) -> pairs, not_counted. how: nil (the totals since the
 * last reset), "reset" (those, then empty), "collect" (only take in the
 * kernel's totals: nothing returned). not_counted: spells the kernel's map
 * had no room for, since the run began. */
int kt_offwake_lua(lua_State *L)
{
	static const char *const hows[] = { "read", "reset", "collect", NULL };
	struct kt_session *s = lua_touserdata(L, lua_upvalueindex(1));
	int how = luaL_checkoption(L, 1, "read", hows);
	struct kt_offwake_table *t = state(L);

	if (!s->probes.skel)
		return luaL_error(L, "kt.offwake: no kernel totals %s", NO_KERNEL_TOTALS(s));
	if (collect(s, t))
		return luaL_error(L, "kt.offwake: %s", strerror(errno));
	if (how == 2)
		return 0;
	push_pairs(L, s, t);
	lua_pushinteger(L, (lua_Integer)s->probes.skel->bss->kt_offwake_full);
	if (how == 1)
		kt_offwake_table_reset(t);
	return 2;
}

void kt_offwake_push_mode(lua_State *L, struct kt_session *s)
{
	struct kt_config c = {0};

	s->source->config_get(s, &c);
	lua_pushboolean(L, c.offwake);
}

int kt_offwake_switch(lua_State *L, struct kt_session *s, int v)
{
	struct kt_config c;
	int e;

	if (lua_type(L, v) != LUA_TBOOLEAN)
		return luaL_error(L, "kt.filter.offwake: true or false, not %s", luaL_tolstring(L, v, NULL));
	if (!s->probes.skel)
		return luaL_error(L, "kt.filter.offwake: no kernel totals %s", NO_KERNEL_TOTALS(s));
	if (!s->probes.features.wakeups || !s->probes.features.cpu_events)
		return 0;   /* this kernel cannot: said once when loading */
	if (s->source->config_get(s, &c))
		return luaL_error(L, "cannot read the config map: %s", strerror(errno));
	if (c.offwake == (__u32)lua_toboolean(L, v))
		return 0;
	c.offwake = lua_toboolean(L, v);
	if (s->source->config_set(s, &c))
		return luaL_error(L, "cannot write the config map: %s", strerror(errno));
	/* attach (or detach) the wake-up and switch programs as now needed */
	if ((e = s->source->set_wake(s, -1, -1)) || (e = s->source->set_cpu_events(s, c.cpu_events)))
		return luaL_error(L, "cannot switch off-CPU totals: %s", strerror(-e));
	return 0;
}
