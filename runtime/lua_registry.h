/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A C module's state kept in the Lua registry (lua_registry.c). */
#ifndef KT_LUA_REGISTRY_H
#define KT_LUA_REGISTRY_H
#include <stddef.h>
#include <lua.h>

/* The zeroed block of size bytes under key in the registry, made on first
 * use; gc (may be NULL) frees what it points to when the Lua state closes. */
void *kt_lua_registry_state(lua_State *L, const char *key, size_t size, lua_CFunction gc);

#endif
