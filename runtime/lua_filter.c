// SPDX-License-Identifier: GPL-2.0-or-later
/* The filter map as a Lua object, `kt.filter`: which threads and processes
 * are traced, and the switches of the config map. */
#include <string.h>
#include <errno.h>
#include <lua.h>
#include <lauxlib.h>
#include "ustacks.h"
#include "warn.h"
#include "session.h"
#include "lua_filter.h"
#include "source.h"
#include "attr_targets.h"
#include "runq_hist.h"
#include "offwake.h"

#define FILTER_MT "keytime.filter"

static struct kt_session *session_of(lua_State *L)
{
	return *(struct kt_session **)luaL_checkudata(L, 1, FILTER_MT);
}

/* filter:add_pid(pid [, {follow=bool}]) / filter:add_tgid(tgid [, {follow=bool}]) */
static int add_target(lua_State *L, __u32 type)
{
	struct kt_session *s = session_of(L);
	lua_Integer id = luaL_checkinteger(L, 2);
	__u32 flags = 0;
	struct kt_config c;

	if (lua_istable(L, 3)) {
		lua_getfield(L, 3, "follow");
		if (lua_toboolean(L, -1))
			flags |= KT_TARGET_FOLLOW;
		lua_pop(L, 1);
	}
	if (s->source->target_add(s, type, (__u32)id, flags)) {
		if (errno == ESRCH)
			return luaL_error(L, "no such process: %I", id);
		return luaL_error(L, "cannot add target %I: %s", id, strerror(errno));
	}
	/* Naming a target turns collection on, as the controller's -a did. */
	if (s->source->config_get(s, &c) == 0 && !c.active) {
		c.active = 1;
		s->source->config_set(s, &c);
	}
	s->had_targets = true;
	return 0;
}

static int filter_add_pid(lua_State *L)  { return add_target(L, KT_TARGET_PID); }
static int filter_add_tgid(lua_State *L) { return add_target(L, KT_TARGET_TGID); }

static int remove_target(lua_State *L, __u32 type)
{
	struct kt_session *s = session_of(L);
	lua_Integer id = luaL_checkinteger(L, 2);

	lua_pushboolean(L, s->source->target_remove(s, type, (__u32)id) == 0);
	return 1;
}

static int filter_remove_pid(lua_State *L)  { return remove_target(L, KT_TARGET_PID); }
static int filter_remove_tgid(lua_State *L) { return remove_target(L, KT_TARGET_TGID); }

/* filter:add_cgroup(path [, {follow=bool}]), add_unit, add_uid, add_comm;
 * remove_*(same) -> whether there was such a target. */
static int attr_target(lua_State *L, const char *kind, bool add)
{
	struct kt_session *s = session_of(L);
	const char *text = lua_isinteger(L, 2) ? lua_tostring(L, 2) : luaL_checkstring(L, 2);
	struct kt_attr_key key;
	struct kt_config c;
	__u32 flags = 0;
	char err[512];

	if (s->source->recorded)
		return luaL_error(L, "kt.filter targets by %s only on live events, not in a replay", kind);
	if (kt_attr_parse(kind, text, &key, err, sizeof(err)))
		return luaL_error(L, "%s", err);
	if (!add) {
		lua_pushboolean(L, kt_attr_remove(&s->probes, &key) == 0);
		return 1;
	}
	if (lua_istable(L, 3)) {
		lua_getfield(L, 3, "follow");
		if (lua_toboolean(L, -1))
			flags |= KT_TARGET_FOLLOW;
		lua_pop(L, 1);
	}
	if (kt_attr_add(&s->probes, &key, flags))
		return luaL_error(L, "cannot add target %s %s: %s", kind, text, strerror(errno));
	if (s->source->config_get(s, &c) == 0 && !c.active) {
		c.active = 1;
		s->source->config_set(s, &c);
	}
	s->had_targets = true;
	return 0;
}

static int filter_add_cgroup(lua_State *L)    { return attr_target(L, "cgroup", true); }
static int filter_add_unit(lua_State *L)      { return attr_target(L, "unit", true); }
static int filter_add_container(lua_State *L) { return attr_target(L, "container", true); }
static int filter_add_uid(lua_State *L)       { return attr_target(L, "uid", true); }
static int filter_add_comm(lua_State *L)      { return attr_target(L, "comm", true); }
static int filter_remove_cgroup(lua_State *L) { return attr_target(L, "cgroup", false); }
static int filter_remove_unit(lua_State *L)   { return attr_target(L, "unit", false); }
static int filter_remove_container(lua_State *L) { return attr_target(L, "container", false); }
static int filter_remove_uid(lua_State *L)    { return attr_target(L, "uid", false); }
static int filter_remove_comm(lua_State *L)   { return attr_target(L, "comm", false); }

static int push_attr_entry(const struct kt_attr_key *k, const struct kt_target *v, void *arg)
{
	lua_State *L = arg;
	char what[4096];

	lua_createtable(L, 0, 5);
	lua_pushstring(L, kt_attr_type_name(k->type));
	lua_setfield(L, -2, "type");
	kt_attr_describe(k, what, sizeof(what));
	if (k->type == KT_TARGET_COMM) {
		lua_pushstring(L, what);
		lua_setfield(L, -2, "name");
	} else {
		lua_pushinteger(L, (lua_Integer)k->id);
		lua_setfield(L, -2, "id");
	}
	if (k->type == KT_TARGET_CGROUP) {
		lua_pushstring(L, what);
		lua_setfield(L, -2, "path");
	}
	lua_pushboolean(L, v->flags & KT_TARGET_FOLLOW);
	lua_setfield(L, -2, "follow");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "auto");
	lua_rawseti(L, -2, luaL_len(L, -2) + 1);
	return 0;
}

static int push_entry(const struct kt_target_key *k, const struct kt_target *v, void *arg)
{
	lua_State *L = arg;

	lua_createtable(L, 0, 4);
	lua_pushstring(L, k->type == KT_TARGET_PID ? "pid" : "tgid");
	lua_setfield(L, -2, "type");
	lua_pushinteger(L, k->id);
	lua_setfield(L, -2, "id");
	lua_pushboolean(L, v->flags & KT_TARGET_FOLLOW);
	lua_setfield(L, -2, "follow");
	lua_pushboolean(L, v->flags & KT_TARGET_AUTO);
	lua_setfield(L, -2, "auto");
	lua_rawseti(L, -2, luaL_len(L, -2) + 1);
	return 0;
}

/* filter:list() -> { {type="tgid", id=N, follow=bool, auto=bool}, ... } */
void kt_filter_push_list(lua_State *L, struct kt_session *s)
{
	lua_newtable(L);
	s->source->targets_each(s, push_entry, L);
	if (!s->source->recorded)
		kt_attrs_each(&s->probes, push_attr_entry, L);
}

static int filter_list(lua_State *L)
{
	kt_filter_push_list(L, session_of(L));
	return 1;
}

static int filter_clear(lua_State *L)
{
	struct kt_session *s = session_of(L);

	if (s->source->targets_clear(s) || (!s->source->recorded && kt_attrs_clear(&s->probes)))
		return luaL_error(L, "cannot clear the filter map: %s", strerror(errno));
	return 0;
}

const struct kt_api_name kt_filter_names[] = {
	{ "add_pid", filter_add_pid, "(pid [, {follow=true}])", "trace one thread" },
	{ "add_tgid", filter_add_tgid, "(tgid [, {follow=true}])", "trace a process; follow: its descendants too" },
	{ "remove_pid", filter_remove_pid, "(pid)", "stop tracing a thread" },
	{ "remove_tgid", filter_remove_tgid, "(tgid)", "stop tracing a process" },
	{ "add_cgroup", filter_add_cgroup, "(path [, {follow=true}])", "trace a cgroup v2 and the cgroups below it" },
	{ "add_unit", filter_add_unit, "(name [, {follow=true}])", "trace a systemd unit's cgroup" },
	{ "add_container", filter_add_container, "(id [, {follow=true}])", "trace a container's cgroup (its id or a unique prefix)" },
	{ "add_uid", filter_add_uid, "(user|uid [, {follow=true}])", "trace a user's tasks (effective uid)" },
	{ "add_comm", filter_add_comm, "(name [, {follow=true}])", "trace the tasks with this command name" },
	{ "remove_cgroup", filter_remove_cgroup, "(path)", "stop tracing a cgroup" },
	{ "remove_unit", filter_remove_unit, "(name)", "stop tracing a unit's cgroup" },
	{ "remove_container", filter_remove_container, "(id)", "stop tracing a container's cgroup" },
	{ "remove_uid", filter_remove_uid, "(user|uid)", "stop tracing a user" },
	{ "remove_comm", filter_remove_comm, "(name)", "stop tracing a command name" },
	{ "list", filter_list, "()", "the targets: {type=\"pid\"|\"tgid\"|\"cgroup\"|\"uid\"|\"comm\", id=, path=, name=, follow=, auto=}" },
	{ "clear", filter_clear, "()", "remove every target" },
	{ "active", NULL, "", "switch: collecting at all" },
	{ "all", NULL, "", "switch: every process is a target" },
	{ "cpu", NULL, "", "switch: onCPU/offCPU events" },
	{ "exec_calls", NULL, "", "switch: exec_enter/exec_exit events (the execve syscall probes)" },
	{ "follow", NULL, "", "switch: the targets' descendants become targets" },
	{ "myproc", NULL, "", "switch: keytime-run's own process may be traced" },
	{ "stacks", NULL, "", "switch: kernel stacks at offCPU and wakeup (e.kstack)" },
	{ "runq", NULL, "", "switch: onCPU carries runq_latency and waker_pid (the wake-up probes)" },
	{ "ustacks", NULL, "", "switch: user stacks at offCPU and wakeup (e.ustack); \"buildid\": by build-id in the kernel (dearer)" },
	{ "runq_hist", NULL, "", "\"process\", \"thread\", \"cgroup\" or false: run-queue latency histograms kept in the kernel (kt.runq_hist)" },
	{ "offwake", NULL, "", "switch: off-CPU time by (wakee, waker) stacks kept in the kernel (kt.offwake)" },
	{ NULL, NULL, NULL, NULL },
};

/* The config switches readable and writable as fields. */
static __u32 *config_field(struct kt_config *c, const char *k)
{
	if (!strcmp(k, "active")) return &c->active;
	if (!strcmp(k, "all"))    return &c->all;
	if (!strcmp(k, "cpu"))    return &c->cpu_events;
	if (!strcmp(k, "myproc")) return &c->myproc;
	if (!strcmp(k, "stacks")) return &c->stacks;
	if (!strcmp(k, "runq"))   return &c->runq;
	if (!strcmp(k, "ustacks")) return &c->ustacks;
	return NULL;
}

struct follow_change {
	struct kt_session *s;
	bool on;
};

static int set_entry_follow(const struct kt_target_key *k, const struct kt_target *v, void *arg)
{
	struct follow_change *fc = arg;
	__u32 flags = fc->on ? v->flags | KT_TARGET_FOLLOW : v->flags & ~KT_TARGET_FOLLOW;

	if (!(v->flags & KT_TARGET_AUTO) && flags != v->flags)
		fc->s->source->target_add(fc->s, k->type, k->id, flags);
	return 0;
}

static int set_attr_follow(const struct kt_attr_key *k, const struct kt_target *v, void *arg)
{
	struct follow_change *fc = arg;
	__u32 flags = fc->on ? v->flags | KT_TARGET_FOLLOW : v->flags & ~KT_TARGET_FOLLOW;

	if (flags != v->flags)
		kt_attr_add(&fc->s->probes, k, flags);
	return 0;
}

/* kt.filter.follow: what --follow does, chosen by the script. The targets
 * named so far (not those added by following) follow their descendants
 * from now on, and so does the -c command, which is targeted after the
 * script's main chunk has run. */
static void set_follow(struct kt_session *s, bool on)
{
	struct follow_change fc = { s, on };

	s->opts->follow = on;
	s->source->targets_each(s, set_entry_follow, &fc);
	if (!s->source->recorded)
		kt_attrs_each(&s->probes, set_attr_follow, &fc);
}

static int filter_index(lua_State *L)
{
	struct kt_session *s = session_of(L);
	const char *k = luaL_checkstring(L, 2);
	struct kt_config c;
	__u32 *f;

	for (const struct kt_api_name *m = kt_filter_names; m->name; m++)
		if (m->fn && !strcmp(k, m->name)) {
			lua_pushcfunction(L, m->fn);
			return 1;
		}
	if (!strcmp(k, "follow")) {
		lua_pushboolean(L, s->opts->follow);
		return 1;
	}
	if (!strcmp(k, "exec_calls")) {
		lua_pushboolean(L, s->probes.exec_calls);
		return 1;
	}
	if (!strcmp(k, "runq_hist")) {
		kt_runq_hist_push_mode(L, s);
		return 1;
	}
	if (!strcmp(k, "offwake")) {
		kt_offwake_push_mode(L, s);
		return 1;
	}
	if (s->source->config_get(s, &c))
		return luaL_error(L, "cannot read the config map: %s", strerror(errno));
	if (!strcmp(k, "ustacks") && c.ustacks == KT_USTACKS_BUILD_ID) {
		lua_pushstring(L, "buildid");
		return 1;
	}
	if ((f = config_field(&c, k))) {
		lua_pushboolean(L, *f);
		return 1;
	}
	lua_pushnil(L);
	return 1;
}

/* The error for a name that is no switch, listing the switches. */
static int no_setting(lua_State *L, const char *k)
{
	luaL_Buffer b;
	const char *sep = "";

	luaL_buffinit(L, &b);
	for (const struct kt_api_name *n = kt_filter_names; n->name; n++)
		if (!n->fn) {
			luaL_addstring(&b, sep);
			luaL_addstring(&b, n->name);
			sep = ", ";
		}
	luaL_pushresult(&b);
	return luaL_error(L, "kt.filter has no setting '%s' (%s)", k, lua_tostring(L, -1));
}

static int filter_newindex(lua_State *L)
{
	struct kt_session *s = session_of(L);
	const char *k = luaL_checkstring(L, 2);
	bool on = lua_toboolean(L, 3);
	struct kt_config c;
	__u32 *f;
	int e;

	if (!strcmp(k, "follow")) {
		set_follow(s, on);
		return 0;
	}
	if (!strcmp(k, "exec_calls")) {
		if ((e = s->source->set_exec_calls(s, on)))
			return luaL_error(L, "cannot switch exec_enter/exec_exit events: %s", strerror(-e));
		return 0;
	}
	if (!strcmp(k, "runq_hist"))
		return kt_runq_hist_switch(L, s, 3);
	if (!strcmp(k, "offwake"))
		return kt_offwake_switch(L, s, 3);
	if (s->source->config_get(s, &c))
		return luaL_error(L, "cannot read the config map: %s", strerror(errno));
	if (!(f = config_field(&c, k)))
		return no_setting(L, k);
	if (!strcmp(k, "cpu")) {
		/* The switch program is attached only while it is wanted. */
		s->cpu_chosen = true;
		if ((e = s->source->set_cpu_events(s, on)))
			return luaL_error(L, "cannot switch onCPU/offCPU events: %s", strerror(-e));
		return 0;
	}
	if (!strcmp(k, "runq")) {
		if ((e = s->source->set_wake(s, -1, on)))
			return luaL_error(L, "cannot switch run-queue latency: %s", strerror(-e));
		return 0;
	}
	if (!strcmp(k, "ustacks")) {
		/* a kernel that cannot: said once, and the run goes on without */
		static bool said;
		char why[256];
		int mode = on ? KT_USTACKS_ADDR : 0;
		if (lua_type(L, 3) == LUA_TSTRING) {
			if (strcmp(lua_tostring(L, 3), "buildid"))
				return luaL_error(L, "kt.filter.ustacks: true, false or \"buildid\", not \"%s\"",
						  lua_tostring(L, 3));
			mode = KT_USTACKS_BUILD_ID;
		}
		if (kt_ustacks_switch(s, mode, why, sizeof(why)) && !said) {
			said = true;
			kt_warn("%s", why);
		}
		return 0;
	}
	*f = on;
	if (!strcmp(k, "all") && on)
		c.active = 1, s->had_targets = false;
	if (s->source->config_set(s, &c))
		return luaL_error(L, "cannot write the config map: %s", strerror(errno));
	return 0;
}

/* pairs(kt.filter): each method and switch, with its value. */
static int filter_next(lua_State *L)
{
	const struct kt_api_name *n = kt_filter_names;

	if (!lua_isnil(L, 2)) {
		const char *k = luaL_checkstring(L, 2);
		while (n->name && strcmp(n->name, k))
			n++;
		if (n->name)
			n++;
	}
	if (!n->name) {
		lua_pushnil(L);
		return 1;
	}
	lua_pushstring(L, n->name);
	lua_pushvalue(L, -1);
	lua_gettable(L, 1);
	return 2;
}

static int filter_pairs(lua_State *L)
{
	lua_pushcfunction(L, filter_next);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static int filter_tostring(lua_State *L)
{
	struct kt_session *s = session_of(L);
	struct kt_config c = {0};

	s->source->config_get(s, &c);
	lua_pushfstring(L, "keytime.filter active=%s all=%s cpu=%s",
			c.active ? "true" : "false", c.all ? "true" : "false",
			c.cpu_events ? "true" : "false");
	return 1;
}

void kt_filter_register(lua_State *L, struct kt_session *s)
{
	struct kt_session **ud;

	luaL_newmetatable(L, FILTER_MT);
	lua_pushcfunction(L, filter_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, filter_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, filter_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushcfunction(L, filter_pairs);
	lua_setfield(L, -2, "__pairs");
	lua_pop(L, 1);

	ud = lua_newuserdatauv(L, sizeof(*ud), 0);
	*ud = s;
	luaL_setmetatable(L, FILTER_MT);
}
