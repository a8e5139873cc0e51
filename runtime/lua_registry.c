// SPDX-License-Identifier: GPL-2.0-or-later
/* A C module's state kept in the Lua registry (lua_registry.h): a full
 * userdata, so it lives as long as the Lua state and its __gc runs when
 * the state closes, whatever way the run ends. */
#include <string.h>
#include <lua.h>
#include "lua_registry.h"

void *kt_lua_registry_state(lua_State *L, const char *key, size_t size, lua_CFunction gc)
{
	void *p;

	if (lua_getfield(L, LUA_REGISTRYINDEX, key) == LUA_TUSERDATA) {
		p = lua_touserdata(L, -1);
		lua_pop(L, 1);
		return p;
	}
	lua_pop(L, 1);
	p = lua_newuserdatauv(L, size, 0);
	memset(p, 0, size);
	if (gc) {
		lua_newtable(L);
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__gc");
		lua_setmetatable(L, -2);
	}
	lua_setfield(L, LUA_REGISTRYINDEX, key);
	return p;
}
