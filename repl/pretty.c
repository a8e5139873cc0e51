// SPDX-License-Identifier: GPL-2.0-or-later
/* Lua values as readable text, for the REPL's results: tables show their
 * contents ({1, 2, name = "x"}), sorted by key, on one line when short,
 * else one entry per line and indented; cycles, depth and length are
 * bounded. Everything is built on the Lua stack, so an error raised by a
 * __tostring leaks nothing. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include "repl.h"

#define MAX_DEPTH  6       /* deeper tables show as {...} */
#define MAX_ITEMS  100     /* entries shown per table */
#define LINE_WIDTH 72      /* a table this short stays on one line */

static const char *const keywords[] = {
	"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
	"goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
	"true", "until", "while", NULL,
};

static bool is_identifier(const char *s, size_t len)
{
	if (!len || !(s[0] == '_' || ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!(s[i] == '_' || (s[i] >= '0' && s[i] <= '9') ||
		      ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')))
			return false;
	for (const char *const *k = keywords; *k; k++)
		if (strlen(*k) == len && !memcmp(*k, s, len))
			return false;
	return true;
}

static void push_quoted(lua_State *L, int idx)
{
	size_t len;
	const char *s = lua_tolstring(L, idx, &len);
	luaL_Buffer b;
	char esc[8];

	luaL_buffinit(L, &b);
	luaL_addchar(&b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		switch (c) {
		case '"':  luaL_addstring(&b, "\\\""); break;
		case '\\': luaL_addstring(&b, "\\\\"); break;
		case '\n': luaL_addstring(&b, "\\n"); break;
		case '\t': luaL_addstring(&b, "\\t"); break;
		case '\r': luaL_addstring(&b, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(esc, sizeof(esc), "\\%03u", c);
				luaL_addstring(&b, esc);
			} else {
				luaL_addchar(&b, c);
			}
		}
	}
	luaL_addchar(&b, '"');
	luaL_pushresult(&b);
}

/* Key order: numbers, then strings, then booleans, then the rest as found. */
static int key_rank(lua_State *L, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:  return 0;
	case LUA_TSTRING:  return 1;
	case LUA_TBOOLEAN: return 2;
	default:           return 3;
	}
}

struct sort_ctx {
	lua_State *L;
	int keys;               /* absolute index of the array of keys */
};

static int compare_keys(const void *pa, const void *pb, void *arg)
{
	struct sort_ctx *c = arg;
	lua_State *L = c->L;
	int a = *(const int *)pa, b = *(const int *)pb, ra, rb, r = 0;

	lua_rawgeti(L, c->keys, a);
	lua_rawgeti(L, c->keys, b);
	ra = key_rank(L, -2);
	rb = key_rank(L, -1);
	if (ra != rb) {
		r = ra - rb;
	} else if (ra == 0) {
		lua_Number x = lua_tonumber(L, -2), y = lua_tonumber(L, -1);
		r = x < y ? -1 : x > y;
	} else if (ra == 1) {
		size_t lx, ly;
		const char *x = lua_tolstring(L, -2, &lx), *y = lua_tolstring(L, -1, &ly);
		r = memcmp(x, y, lx < ly ? lx : ly);
		if (!r)
			r = lx < ly ? -1 : lx > ly;
	} else if (ra == 2) {
		r = lua_toboolean(L, -2) - lua_toboolean(L, -1);
	}
	lua_pop(L, 2);
	return r ? r : a - b;
}

static void render(lua_State *L, int idx, int depth, int seen);

/* Pushes "key = value" (or just the value for the array part). */
static void render_entry(lua_State *L, int key, int value, bool in_array, int depth, int seen)
{
	luaL_Buffer b;
	size_t len;
	const char *k;

	if (in_array) {
		render(L, value, depth, seen);
		return;
	}
	if (lua_type(L, key) == LUA_TSTRING && (k = lua_tolstring(L, key, &len), is_identifier(k, len)))
		lua_pushvalue(L, key);
	else {
		render(L, key, depth, seen);
		lua_pushfstring(L, "[%s]", lua_tostring(L, -1));
		lua_remove(L, -2);
	}
	render(L, value, depth, seen);
	luaL_buffinit(L, &b);
	lua_pushvalue(L, -3);
	luaL_addvalue(&b);
	luaL_addstring(&b, " = ");
	lua_pushvalue(L, -2);   /* below the buffer's box, if any: copy then add */
	luaL_addvalue(&b);
	luaL_pushresult(&b);
	lua_replace(L, -3);
	lua_pop(L, 1);
}

/* Joins the n strings at the top into one table text, replacing them. */
static void join_items(lua_State *L, int n, int hidden)
{
	int first = lua_gettop(L) - n + 1;
	size_t total = 2;
	bool multiline = hidden > 0;
	luaL_Buffer b;

	if (!n) {
		lua_pushliteral(L, "{}");
		return;
	}
	for (int i = first; i < first + n; i++) {
		size_t len;
		const char *s = lua_tolstring(L, i, &len);
		total += len + 2;
		if (memchr(s, '\n', len))
			multiline = true;
	}
	multiline = multiline || total > LINE_WIDTH;
	luaL_buffinit(L, &b);
	luaL_addstring(&b, multiline ? "{\n" : "{");
	for (int i = first; i < first + n; i++) {
		if (multiline) {
			luaL_addstring(&b, "  ");
			luaL_addgsub(&b, lua_tostring(L, i), "\n", "\n  ");
			luaL_addstring(&b, i + 1 < first + n || hidden ? ",\n" : "\n");
		} else {
			luaL_addstring(&b, lua_tostring(L, i));
			if (i + 1 < first + n)
				luaL_addstring(&b, ", ");
		}
	}
	if (hidden) {
		lua_pushfstring(L, "  ... (%d more)\n", hidden);
		luaL_addvalue(&b);
	}
	luaL_addchar(&b, '}');
	luaL_pushresult(&b);
	lua_replace(L, first);
	lua_settop(L, first);
}

static void render_table(lua_State *L, int t, int depth, int seen)
{
	lua_Integer n_array = 0, n_keys = 0, shown = 0;
	struct sort_ctx ctx = { L, 0 };
	int *order;

	lua_pushvalue(L, t);
	if (lua_rawget(L, seen) != LUA_TNIL) {
		lua_pop(L, 1);
		lua_pushliteral(L, "<cycle>");
		return;
	}
	lua_pop(L, 1);
	if (depth >= MAX_DEPTH) {
		lua_pushliteral(L, "{...}");
		return;
	}
	lua_pushvalue(L, t);
	lua_pushboolean(L, 1);
	lua_rawset(L, seen);

	/* The array part 1..n, then the other keys, sorted. */
	while (lua_rawgeti(L, t, n_array + 1) != LUA_TNIL) {
		lua_pop(L, 1);
		n_array++;
	}
	lua_pop(L, 1);
	lua_newtable(L);
	ctx.keys = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= n_array)
			continue;
		lua_pushvalue(L, -1);
		lua_rawseti(L, ctx.keys, ++n_keys);
	}
	order = lua_newuserdatauv(L, (n_keys + 1) * sizeof(int), 0);
	for (int i = 0; i < n_keys; i++)
		order[i] = i + 1;
	qsort_r(order, n_keys, sizeof(int), compare_keys, &ctx);

	luaL_checkstack(L, MAX_ITEMS + 10, "table too wide to print");
	for (lua_Integer i = 1; i <= n_array && shown < MAX_ITEMS; i++, shown++) {
		lua_rawgeti(L, t, i);
		render_entry(L, 0, lua_gettop(L), true, depth + 1, seen);
		lua_remove(L, -2);
	}
	for (lua_Integer i = 0; i < n_keys && shown < MAX_ITEMS; i++, shown++) {
		lua_rawgeti(L, ctx.keys, order[i]);
		lua_pushvalue(L, -1);
		lua_rawget(L, t);
		render_entry(L, lua_gettop(L) - 1, lua_gettop(L), false, depth + 1, seen);
		lua_replace(L, -3);
		lua_pop(L, 1);
	}
	join_items(L, (int)shown, (int)(n_array + n_keys - shown));
	lua_replace(L, ctx.keys);   /* drop the keys and the order */
	lua_settop(L, ctx.keys);

	lua_pushvalue(L, t);
	lua_pushnil(L);
	lua_rawset(L, seen);   /* shared, not cyclic, tables print again */
}

static void render(lua_State *L, int idx, int depth, int seen)
{
	idx = lua_absindex(L, idx);
	luaL_checkstack(L, 8, "value too deep to print");
	if (lua_type(L, idx) == LUA_TSTRING)
		push_quoted(L, idx);
	else if (lua_type(L, idx) == LUA_TTABLE && luaL_getmetafield(L, idx, "__tostring") == LUA_TNIL)
		render_table(L, idx, depth, seen);
	else {
		if (lua_type(L, idx) == LUA_TTABLE)
			lua_pop(L, 1);   /* the __tostring found */
		luaL_tolstring(L, idx, NULL);
	}
}

const char *kt_pretty_push(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	lua_newtable(L);   /* tables being printed: a cycle shows as <cycle> */
	render(L, idx, 0, lua_gettop(L));
	lua_remove(L, -2);
	return lua_tostring(L, -1);
}
