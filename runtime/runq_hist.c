// SPDX-License-Identifier: GPL-2.0-or-later
/* Run-queue latency histograms the probes keep (kt_runq_hist, by tgid,
 * pid or cgroup id), so a script like runqlat.lua needs no onCPU event at all.
 * The probes only ever add to an entry's totals; the host keeps the totals
 * it last read ("seen") and adds what grew since to its own histograms
 * ("acc"), which kt.runq_hist("reset") empties: nothing added while the
 * host reads is lost. The entry of a task (or cgroup) that has gone is removed
 * from the kernel's map once read (checked before reading, so its last
 * waits are in), which keeps the map's 4096 entries for the living. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "session.h"
#include "source.h"
#include "runq_hist.h"
#include "cgroups.h"
#include "grow.h"
#include "keytime.skel.h"
#include "runq_hist_map.h"
#include "lua_registry.h"

#define STATE_KEY "keytime.runq_hist"

struct hist_entry {
	__u64 id;
	bool gone;                /* its kernel entry removed: seen is zero */
	char comm[KT_COMM_LEN];
	__u64 seen_sum, seen[KT_RUNQ_HIST_SLOTS];
	__u64 acc_sum, acc[KT_RUNQ_HIST_SLOTS];
};

struct hist_state {
	struct hist_entry *e;     /* sorted by id */
	size_t n, cap;
	__u32 mode;               /* what the ids are: KT_RUNQ_HIST_TGID, _PID or _CGROUP */
};

static int state_gc(lua_State *L)
{
	struct hist_state *st = lua_touserdata(L, 1);

	free(st->e);
	st->e = NULL;
	st->n = st->cap = 0;
	return 0;
}

/* The host's side, kept in the registry, freed with the Lua state. */
static struct hist_state *state(lua_State *L)
{
	return kt_lua_registry_state(L, STATE_KEY, sizeof(struct hist_state), state_gc);
}

/* id's entry, made if absent; NULL when out of memory. */
static struct hist_entry *entry(struct hist_state *st, __u64 id)
{
	size_t lo = 0, hi = st->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (st->e[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < st->n && st->e[lo].id == id)
		return &st->e[lo];
	if (st->n == st->cap && kt_grow(&st->e, &st->cap, sizeof(*st->e), 64))
		return NULL;
	memmove(&st->e[lo + 1], &st->e[lo], (st->n - lo) * sizeof(*st->e));
	st->n++;
	memset(&st->e[lo], 0, sizeof(*st->e));
	st->e[lo].id = id;
	return &st->e[lo];
}

static void clear_kernel_map(int fd)
{
	__u64 key;

	while (bpf_map_get_next_key(fd, NULL, &key) == 0)
		if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			break;
}

static int map_fd(struct kt_session *s)
{
	return bpf_map__fd(s->probes.skel->maps.kt_runq_hist);
}

/* A thread or process id no task has now, or a cgroup removed. */
static bool id_gone(__u32 mode, __u64 id)
{
	if (mode == KT_RUNQ_HIST_CGROUP)
		return kt_cgroup_gone(id);
	return kill((pid_t)id, 0) != 0 && errno == ESRCH;
}

/* Adds what the kernel's totals grew by since last read. 0, or -1 with
 * errno (ENOMEM). */
static int collect(struct kt_session *s, struct hist_state *st)
{
	int fd = map_fd(s);
	struct kt_runq_hist v;
	__u64 key, next, *prev = NULL;
	__u64 *ended = NULL;
	size_t ngone = 0, capgone = 0;
	int r = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		bool was_gone = id_gone(st->mode, key);   /* before reading: its last waits are in */
		if (st->mode == KT_RUNQ_HIST_CGROUP && !was_gone)
			kt_cgroup_path(key);   /* looked up (and kept) while it is there */
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		struct hist_entry *e = entry(st, key);
		if (!e) {
			r = -1;
			break;
		}
		__u64 grew = 0;
		for (int i = 0; i < KT_RUNQ_HIST_SLOTS; i++) {
			grew += v.slots[i] - e->seen[i];
			e->acc[i] += v.slots[i] - e->seen[i];
			e->seen[i] = v.slots[i];
		}
		e->acc_sum += v.sum_ns - e->seen_sum;
		e->seen_sum = v.sum_ns;
		e->gone = false;
		if (grew)
			memcpy(e->comm, v.comm, KT_COMM_LEN);
		if (was_gone) {
			if (ngone == capgone && kt_grow(&ended, &capgone, sizeof(*ended), 16)) {
				r = -1;
				break;
			}
			ended[ngone++] = key;
		}
	}
	/* after the walk: a removal midway would start it again */
	for (size_t i = 0; i < ngone; i++) {
		struct hist_entry *e = entry(st, ended[i]);
		if (bpf_map_delete_elem(fd, &ended[i]) == 0 && e) {
			e->gone = true;
			e->seen_sum = 0;
			memset(e->seen, 0, sizeof(e->seen));
		}
	}
	free(ended);
	if (r)
		errno = ENOMEM;
	return r;
}

/* Empties the host's histograms; drops the entries of tasks gone. */
static void reset(struct hist_state *st)
{
	size_t j = 0;

	for (size_t i = 0; i < st->n; i++) {
		if (st->e[i].gone)
			continue;
		st->e[j] = st->e[i];
		st->e[j].acc_sum = 0;
		memset(st->e[j].acc, 0, sizeof(st->e[j].acc));
		j++;
	}
	st->n = j;
}

/* { [id] = { comm =, count =, sum_ns =, slots = { [bucket] = n } } } for
 * the keys with a wait counted; by cgroup, cgroup = its path too (nil when
 * not found). */
static void push_hists(lua_State *L, struct hist_state *st)
{
	lua_newtable(L);
	for (size_t i = 0; i < st->n; i++) {
		struct hist_entry *e = &st->e[i];
		__u64 count = 0;

		for (int k = 0; k < KT_RUNQ_HIST_SLOTS; k++)
			count += e->acc[k];
		if (!count)
			continue;
		lua_createtable(L, 0, 5);
		lua_pushlstring(L, e->comm, strnlen(e->comm, KT_COMM_LEN));
		lua_setfield(L, -2, "comm");
		if (st->mode == KT_RUNQ_HIST_CGROUP) {
			lua_pushstring(L, kt_cgroup_path(e->id));
			lua_setfield(L, -2, "cgroup");
		}
		lua_pushinteger(L, (lua_Integer)count);
		lua_setfield(L, -2, "count");
		lua_pushinteger(L, (lua_Integer)e->acc_sum);
		lua_setfield(L, -2, "sum_ns");
		lua_newtable(L);
		for (int k = 0; k < KT_RUNQ_HIST_SLOTS; k++)
			if (e->acc[k]) {
				lua_pushinteger(L, (lua_Integer)e->acc[k]);
				lua_rawseti(L, -2, k);
			}
		lua_setfield(L, -2, "slots");
		lua_rawseti(L, -2, (lua_Integer)e->id);
	}
}

/* kt.runq_hist([how]) -> hists, not_counted. how: nil (the histograms
 * since the last reset), "reset" (those, then empty), "collect" (only
 * take in the kernel's totals: nothing returned). not_counted: waits the
 * kernel's map had no room for, since the run began. */
int kt_runq_hist_lua(lua_State *L)
{
	static const char *const hows[] = { "read", "reset", "collect", NULL };
	struct kt_session *s = lua_touserdata(L, lua_upvalueindex(1));
	int how = luaL_checkoption(L, 1, "read", hows);
	struct hist_state *st = state(L);

	if (!s->probes.skel)
		return luaL_error(L, "kt.runq_hist: no kernel histograms %s",
				  s->source->recorded ? "in a replay: histogram onCPU's runq_latency"
						      : "without the probes");
	if (collect(s, st))
		return luaL_error(L, "kt.runq_hist: %s", strerror(errno));
	if (how == 2)
		return 0;
	push_hists(L, st);
	lua_pushinteger(L, (lua_Integer)s->probes.skel->bss->kt_runq_hist_full);
	if (how == 1)
		reset(st);
	return 2;
}

void kt_runq_hist_push_mode(lua_State *L, struct kt_session *s)
{
	struct kt_config c = {0};

	s->source->config_get(s, &c);
	if (c.runq_hist == KT_RUNQ_HIST_TGID)
		lua_pushliteral(L, "process");
	else if (c.runq_hist == KT_RUNQ_HIST_PID)
		lua_pushliteral(L, "thread");
	else if (c.runq_hist == KT_RUNQ_HIST_CGROUP)
		lua_pushliteral(L, "cgroup");
	else
		lua_pushboolean(L, 0);
}

int kt_runq_hist_switch(lua_State *L, struct kt_session *s, int v)
{
	const char *name = lua_type(L, v) == LUA_TSTRING ? lua_tostring(L, v) : NULL;
	__u32 mode;
	struct kt_config c;
	int e;

	if (!lua_toboolean(L, v))
		mode = 0;
	else if (name && !strcmp(name, "process"))
		mode = KT_RUNQ_HIST_TGID;
	else if (name && !strcmp(name, "thread"))
		mode = KT_RUNQ_HIST_PID;
	else if (name && !strcmp(name, "cgroup"))
		mode = KT_RUNQ_HIST_CGROUP;
	else
		return luaL_error(L, "kt.filter.runq_hist: \"process\", \"thread\", \"cgroup\" or false, not %s",
				  luaL_tolstring(L, v, NULL));
	if (!s->probes.skel)
		return luaL_error(L, "kt.filter.runq_hist: no kernel histograms %s",
				  s->source->recorded ? "in a replay: histogram onCPU's runq_latency"
						      : "without the probes");
	if (!s->probes.features.wakeups || !s->probes.features.cpu_events)
		return 0;   /* this kernel cannot: said once when loading */
	if (s->source->config_get(s, &c))
		return luaL_error(L, "cannot read the config map: %s", strerror(errno));
	if (c.runq_hist == mode)
		return 0;
	struct hist_state *st = state(L);
	if (mode && st->mode && st->mode != mode) {   /* keyed otherwise from now on */
		st->n = 0;
		clear_kernel_map(map_fd(s));
	}
	if (mode)
		st->mode = mode;
	c.runq_hist = mode;
	if (s->source->config_set(s, &c))
		return luaL_error(L, "cannot write the config map: %s", strerror(errno));
	/* attach (or detach) the wake-up and switch programs as now needed */
	if ((e = s->source->set_wake(s, -1, -1)) || (e = s->source->set_cpu_events(s, c.cpu_events)))
		return luaL_error(L, "cannot switch run-queue histograms: %s", strerror(-e));
	return 0;
}
