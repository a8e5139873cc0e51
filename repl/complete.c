// SPDX-License-Identifier: GPL-2.0-or-later
/* Tab completion at the prompt: globals and keywords; after `a.b.` or
 * `a.b:` the fields of that value (a table's keys, its metatable's __index
 * table) and the API's names from its tables (help.c: kt.filter's switches
 * and methods live in C); :commands; file names after :load. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include <readline/readline.h>
#include "repl.h"

static lua_State *cL;

/* The candidates of the current completion, each a whole word. */
static char **cands;
static size_t ncands, cands_cap;

static const char *const keywords[] = {
	"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
	"goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
	"true", "until", "while", NULL,
};

static void add(const char *prefix, size_t plen, const char *name)
{
	char *c;

	if (ncands == cands_cap) {
		size_t cap = cands_cap ? 2 * cands_cap : 64;
		char **n = realloc(cands, cap * sizeof(*n));
		if (!n)
			return;
		cands = n;
		cands_cap = cap;
	}
	if (asprintf(&c, "%.*s%s", (int)plen, prefix, name) >= 0)
		cands[ncands++] = c;
}

static void clear_cands(void)
{
	while (ncands)
		free(cands[--ncands]);
}

static bool ident_char(char c)
{
	return c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool is_name(const char *s, size_t len)
{
	if (!len || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!ident_char(s[i]))
			return false;
	return true;
}

/* The string keys of the table at idx that start with stem; then those of
 * its metatable's __index, when that is a table (objects, strings, files). */
static void add_keys(lua_State *L, int idx, const char *prefix, size_t plen, const char *stem, int depth)
{
	size_t slen = strlen(stem), klen;
	const char *k;

	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) == LUA_TTABLE) {
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			lua_pop(L, 1);
			if (lua_type(L, -1) == LUA_TSTRING && (k = lua_tolstring(L, -1, &klen)) &&
			    is_name(k, klen) && !strncmp(k, stem, slen))
				add(prefix, plen, k);
		}
	}
	if (depth < 4 && luaL_getmetafield(L, idx, "__index") != LUA_TNIL) {
		add_keys(L, -1, prefix, plen, stem, depth + 1);
		lua_pop(L, 1);
	}
}

/* The value a dotted path names, looked up under pcall: an __index may
 * raise (an event outside its handler). Pushes it, or nil. */
static int resolve(lua_State *L)
{
	const char *path = lua_tostring(L, 1);

	lua_pushglobaltable(L);
	while (*path) {
		size_t n = strcspn(path, ".:");
		if (!is_name(path, n) || !(lua_istable(L, -1) || lua_isuserdata(L, -1)))
			return lua_pushnil(L), 1;
		lua_pushlstring(L, path, n);
		lua_gettable(L, -2);
		lua_remove(L, -2);
		path += n + (path[n] != 0);
	}
	return 1;
}

struct member_stem {
	const char *text;    /* "kt.filter:li" */
	size_t plen;         /* up to the last separator, included */
};

static void add_member(const char *name, const char *args, const char *what, void *arg)
{
	const struct member_stem *ms = arg;
	const char *member = name + ms->plen;

	if (strlen(name) >= ms->plen && !strncmp(name, ms->text, ms->plen) &&
	    !strncmp(member, ms->text + ms->plen, strlen(ms->text + ms->plen)) &&
	    !member[strcspn(member, ".:")])
		add("", 0, name);
}

static void collect(const char *text)
{
	lua_State *L = cL;
	const char *sep = NULL;
	size_t plen;

	for (const char *p = text; *p; p++)
		if (*p == '.' || *p == ':')
			sep = p;
	if (sep == text)
		return;   /* `:name` inside a line: a method of what, unknown */
	if (!sep) {
		lua_pushglobaltable(L);
		add_keys(L, -1, "", 0, text, 0);
		lua_pop(L, 1);
		for (const char *const *k = keywords; *k; k++)
			if (!strncmp(*k, text, strlen(text)))
				add("", 0, *k);
		return;
	}
	plen = sep - text + 1;
	lua_pushcfunction(L, resolve);
	lua_pushlstring(L, text, sep - text);
	if (lua_pcall(L, 1, 1, 0) == LUA_OK)
		add_keys(L, -1, text, plen, sep + 1, 0);
	lua_pop(L, 1);
	/* The API's names one step under the same path and separator. */
	struct member_stem ms = { text, plen };
	kt_help_each(add_member, &ms);
}

static char *next_candidate(const char *text, int state)
{
	static size_t i;

	if (!state)
		i = 0;
	return i < ncands ? strdup(cands[i++]) : NULL;
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	rl_completion_append_character = '\0';
	/* :load FILE: readline's own file name completion. */
	if (rl_line_buffer[0] == ':' && start > 0) {
		rl_completion_append_character = ' ';
		return NULL;
	}
	rl_attempted_completion_over = 1;
	clear_cands();
	if (start == 0 && text[0] == ':') {
		rl_completion_append_character = ' ';
		for (const struct kt_help_entry *h = kt_repl_commands; h->name; h++)
			if (!strncmp(h->name, text, strlen(text)))
				add("", 0, h->name);
	} else {
		collect(text);
	}
	return rl_completion_matches(text, next_candidate);
}

void kt_complete_init(lua_State *L)
{
	cL = L;
	rl_attempted_completion_function = complete;
	/* '.' and ':' are part of a word: `kt.filter:li` completes as a whole. */
	rl_completer_word_break_characters = " \t\n\"\\'`><=;+-*/%^~#&|,{}()[]";
}
