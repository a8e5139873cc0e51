// SPDX-License-Identifier: GPL-2.0-or-later
/* kt.metrics: counters, gauges and histograms with labels for Prometheus
 * (runtime/metrics.c keeps them; --metrics serves them).
 *
 *   local ends = kt.metrics.counter("app_ends_total", "Ends.", {"comm", "how"})
 *   ends:inc({comm = e.comm, how = "signal"})      -- n defaults to 1
 *   kt.metrics.gauge(name, help, labels):set(labels, v)   (or :inc(labels, n))
 *   kt.metrics.histogram(name, help, labels, {0.001, 0.01, 0.1}):observe(labels, v)
 *   metric:value(labels)       -- a counter's or gauge's value, a histogram's count
 */
#include <lua.h>
#include <lauxlib.h>
#include <string.h>
#include "lua_metrics.h"
#include "metrics.h"

#define METRIC_MT "keytime.metric"

struct metric_handle {
	struct kt_metric *metric;
};

static struct kt_metrics *registry_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* The label values of table idx, in the metric's label order, as strings
 * kept alive on the Lua stack (numbers are converted in place). */
static void label_values(lua_State *L, int idx, struct kt_metric *metric, const char *names[],
			 const char **values)
{
	int n = kt_metric_nlabels(metric), given = 0;

	if (lua_isnoneornil(L, idx)) {
		if (n)
			luaL_error(L, "this metric has labels: give them as a table ({%s = ...})", names[0]);
		return;
	}
	luaL_checktype(L, idx, LUA_TTABLE);
	for (int i = 0; i < n; i++) {
		lua_getfield(L, idx, names[i]);
		if (lua_type(L, -1) == LUA_TNUMBER || lua_type(L, -1) == LUA_TBOOLEAN) {
			luaL_tolstring(L, -1, NULL);
			lua_replace(L, -2);
		}
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "no value for label '%s'", names[i]);
		values[i] = lua_tostring(L, -1);   /* stays on the stack */
	}
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		given++;
	}
	if (given != n)
		luaL_error(L, "labels: %d given, the metric has %d", given, n);
}

/* The metric's label names, from the uservalue table made at creation. */
static struct kt_metric *check_metric(lua_State *L, const char *names[])
{
	struct metric_handle *h = luaL_checkudata(L, 1, METRIC_MT);
	int n = kt_metric_nlabels(h->metric);

	lua_getiuservalue(L, 1, 1);
	for (int i = 0; i < n; i++) {
		lua_rawgeti(L, -1, i + 1);
		names[i] = lua_tostring(L, -1);
		lua_pop(L, 1);   /* the uservalue table keeps it alive */
	}
	lua_pop(L, 1);
	return h->metric;
}

typedef int (*metric_op)(struct kt_metric *, const char *const *, double, char *, size_t);

static int apply(lua_State *L, metric_op op, double v)
{
	const char *names[KT_METRIC_MAX_LABELS], *values[KT_METRIC_MAX_LABELS];
	struct kt_metric *metric = check_metric(L, names);
	char err[256];

	label_values(L, 2, metric, names, values);
	if (op(metric, values, v, err, sizeof(err)))
		return luaL_error(L, "%s", err);
	lua_settop(L, 1);
	return 1;       /* the metric, for chaining */
}

static int metric_inc(lua_State *L)
{
	return apply(L, kt_metric_add, luaL_optnumber(L, 3, 1));
}

static int metric_set(lua_State *L)
{
	return apply(L, kt_metric_set, luaL_checknumber(L, 3));
}

static int metric_observe(lua_State *L)
{
	return apply(L, kt_metric_observe, luaL_checknumber(L, 3));
}

static int metric_value(lua_State *L)
{
	const char *names[KT_METRIC_MAX_LABELS], *values[KT_METRIC_MAX_LABELS];
	struct kt_metric *metric = check_metric(L, names);

	label_values(L, 2, metric, names, values);
	lua_pushnumber(L, kt_metric_value(metric, values));
	return 1;
}

static int metric_tostring(lua_State *L)
{
	struct metric_handle *h = luaL_checkudata(L, 1, METRIC_MT);

	lua_pushfstring(L, "kt.metrics.%s", kt_metric_type_name(kt_metric_type(h->metric)));
	return 1;
}

static int new_metric(lua_State *L, enum kt_metric_type type)
{
	struct kt_metrics *m = registry_of(L);
	const char *name = luaL_checkstring(L, 1), *help = luaL_optstring(L, 2, "");
	const char *labels[KT_METRIC_MAX_LABELS];
	double buckets[KT_METRIC_MAX_BUCKETS];
	int nlabels = 0, nbuckets = 0;
	struct metric_handle *h;
	char err[256];

	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		nlabels = (int)luaL_len(L, 3);
		if (nlabels > KT_METRIC_MAX_LABELS)
			return luaL_error(L, "%s: at most %d labels", name, KT_METRIC_MAX_LABELS);
		for (int i = 0; i < nlabels; i++) {
			lua_rawgeti(L, 3, i + 1);
			if (lua_type(L, -1) != LUA_TSTRING)
				return luaL_error(L, "%s: label names are strings", name);
			labels[i] = lua_tostring(L, -1);
			lua_pop(L, 1);   /* the table keeps it alive */
		}
	}
	if (type == KT_METRIC_HISTOGRAM) {
		luaL_checktype(L, 4, LUA_TTABLE);
		nbuckets = (int)luaL_len(L, 4);
		if (nbuckets < 1 || nbuckets > KT_METRIC_MAX_BUCKETS)
			return luaL_error(L, "%s: a histogram needs 1 to %d bucket bounds", name,
					  KT_METRIC_MAX_BUCKETS);
		for (int i = 0; i < nbuckets; i++) {
			lua_rawgeti(L, 4, i + 1);
			if (!lua_isnumber(L, -1))
				return luaL_error(L, "%s: bucket bounds are numbers", name);
			buckets[i] = lua_tonumber(L, -1);
			lua_pop(L, 1);
		}
	}
	h = lua_newuserdatauv(L, sizeof(*h), 1);
	h->metric = kt_metric_new(m, type, name, help, labels, nlabels, buckets, nbuckets,
				  err, sizeof(err));
	if (!h->metric)
		return luaL_error(L, "%s", err);
	lua_createtable(L, nlabels, 0);
	for (int i = 0; i < nlabels; i++) {
		lua_pushstring(L, labels[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setiuservalue(L, -2, 1);
	luaL_setmetatable(L, METRIC_MT);
	return 1;
}

static int new_counter(lua_State *L)
{
	return new_metric(L, KT_METRIC_COUNTER);
}

static int new_gauge(lua_State *L)
{
	return new_metric(L, KT_METRIC_GAUGE);
}

static int new_histogram(lua_State *L)
{
	return new_metric(L, KT_METRIC_HISTOGRAM);
}

void kt_metrics_lua_push(lua_State *L, struct kt_metrics *m)
{
	static const luaL_Reg methods[] = {
		{ "inc", metric_inc }, { "set", metric_set }, { "observe", metric_observe },
		{ "value", metric_value }, { NULL, NULL },
	};
	static const luaL_Reg makers[] = {
		{ "counter", new_counter }, { "gauge", new_gauge }, { "histogram", new_histogram },
		{ NULL, NULL },
	};

	if (luaL_newmetatable(L, METRIC_MT)) {
		luaL_newlib(L, methods);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, metric_tostring);
		lua_setfield(L, -2, "__tostring");
	}
	lua_pop(L, 1);
	luaL_newlibtable(L, makers);
	lua_pushlightuserdata(L, m);
	luaL_setfuncs(L, makers, 1);
}
