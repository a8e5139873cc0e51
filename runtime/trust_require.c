// SPDX-License-Identifier: GPL-2.0-or-later
/* require under the script rules: a module that keytime-run's own module
 * folders provide (kt_module_path) is held to the rules of trust.h, like
 * the script. Modules elsewhere on package.path (the system's) are Lua's. */
#include <stdio.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include "trust.h"
#include "script_path.h"

/* The first readable file of the ';'-separated templates in path with '?'
 * replaced by name (dots as '/'), as Lua's package.searchpath does. */
static int find_module(const char *path, const char *name, char *out, size_t outlen)
{
	char file[4096];

	for (const char *p = path; *p; ) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p), used = 0;
		FILE *f;

		for (size_t i = 0; i < len && used + 1 < sizeof(file); i++) {
			if (p[i] != '?') {
				file[used++] = p[i];
				continue;
			}
			for (const char *c = name; *c && used + 1 < sizeof(file); c++)
				file[used++] = *c == '.' ? '/' : *c;
		}
		file[used] = 0;
		p = end ? end + 1 : p + len;
		if (!used || used + 1 >= sizeof(file) || !(f = fopen(file, "r")))
			continue;
		fclose(f);
		snprintf(out, outlen, "%s", file);
		return 0;
	}
	return -1;
}

/* package.searchers entry; upvalues: keytime's module path, the invoking uid. */
static int trusted_searcher(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	const char *path = lua_tostring(L, lua_upvalueindex(1));
	uid_t invoker = (uid_t)lua_tointeger(L, lua_upvalueindex(2));
	char file[4096], why[1024];

	if (find_module(path, name, file, sizeof(file)))
		return 0;   /* not ours: the next searchers say where they looked */
	if (kt_trust_file(file, invoker, why, sizeof(why)))
		return luaL_error(L, "refusing to load %s: %s; --unsafe-script loads it anyway",
				  file, why);
	if (luaL_loadfile(L, file) != LUA_OK)
		return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s",
				  name, file, lua_tostring(L, -1));
	lua_pushstring(L, file);
	return 2;
}

void kt_trust_guard_require(lua_State *L, const char *script, uid_t invoker)
{
	char exe_dir[4096], dirs[16384];
	lua_Integer n;

	if (kt_module_path(dirs, sizeof(dirs), kt_exe_dir(exe_dir, sizeof(exe_dir)),
			   kt_datadir(), script))
		return;    /* keytime-run put none of its folders on package.path */
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "searchers");
	n = luaL_len(L, -1);
	for (lua_Integer i = n; i >= 2; i--) {   /* in front of Lua's file searcher */
		lua_rawgeti(L, -1, i);
		lua_rawseti(L, -2, i + 1);
	}
	lua_pushstring(L, dirs);
	lua_pushinteger(L, (lua_Integer)invoker);
	lua_pushcclosure(L, trusted_searcher, 2);
	lua_rawseti(L, -2, n >= 1 ? 2 : 1);
	lua_pop(L, 2);
}
