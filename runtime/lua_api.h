/* The kt module's functions (lua_api.c). */
#ifndef KT_LUA_API_H
#define KT_LUA_API_H
#include <lua.h>
#include <lauxlib.h>

/* kt.on, kt.every, ...: registered with the session as upvalue. */
extern const luaL_Reg kt_api_functions[];

#endif
