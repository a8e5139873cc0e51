/* The run's counts (stats.h): events delivered, lost and not traced, for
 * kt.stats() and the end hook, and the report at the end of the run. */
#include <stdio.h>
#include <lua.h>
#include "session.h"
#include "stats.h"
#include "source.h"
#include "events.h"
#include "warn.h"

void kt_stats_push(struct kt_session *s)
{
	lua_State *L = s->L;
	uint64_t lost[KT_KIND_MAX] = {0}, total = 0, lost_total;

	lost_total = kt_lost_total(s, lost);
	lua_createtable(L, 0, 5);
	lua_newtable(L);
	for (unsigned k = 1; k < KT_KIND_MAX; k++) {
		lua_pushinteger(L, s->events[k]);
		lua_setfield(L, -2, kt_kind_name(k));
		total += s->events[k];
	}
	lua_setfield(L, -2, "by_kind");
	lua_newtable(L);
	for (unsigned k = 1; k < KT_KIND_MAX; k++) {
		lua_pushinteger(L, lost[k]);
		lua_setfield(L, -2, kt_kind_name(k));
	}
	lua_setfield(L, -2, "lost_by_kind");
	lua_pushinteger(L, total);
	lua_setfield(L, -2, "events");
	lua_pushinteger(L, lost_total);
	lua_setfield(L, -2, "lost");
	{
		uint64_t by_reason[KT_UNTRACED_MAX];
		lua_pushinteger(L, kt_untraced_total(s, by_reason));
		lua_setfield(L, -2, "untraced");
		lua_createtable(L, 0, KT_UNTRACED_MAX);
		for (unsigned r = 0; r < KT_UNTRACED_MAX; r++) {
			lua_pushinteger(L, by_reason[r]);
			lua_setfield(L, -2, kt_untraced_name(r));
		}
		lua_setfield(L, -2, "untraced_by_reason");
	}
	lua_pushinteger(L, kt_script_now(s) - s->start_ns);
	lua_setfield(L, -2, "duration");
}

static void report_lost(struct kt_session *s)
{
	uint64_t by_kind[KT_KIND_MAX] = {0};
	uint64_t total = kt_lost_total(s, by_kind);

	if (!total)
		return;
	fprintf(stderr, "keytime-run: %llu events lost (ring buffer full):", (unsigned long long)total);
	for (unsigned k = 1; k < KT_KIND_MAX; k++)
		if (by_kind[k])
			fprintf(stderr, " %s %llu", kt_kind_table_name(k), (unsigned long long)by_kind[k]);
	fputc('\n', stderr);
}

static void report_untraced(struct kt_session *s)
{
	uint64_t by_reason[KT_UNTRACED_MAX];
	uint64_t total = kt_untraced_total(s, by_reason);

	if (!total)
		return;
	fprintf(stderr, "keytime-run: %llu tasks not fully traced (maps full at %u entries: "
		"raise with --max-targets):", (unsigned long long)total, s->probes.max_targets);
	for (unsigned r = 0; r < KT_UNTRACED_MAX; r++)
		if (by_reason[r])
			fprintf(stderr, " %s %llu", kt_untraced_name(r), (unsigned long long)by_reason[r]);
	fputc('\n', stderr);
}

static void report_handler_errors(struct kt_session *s)
{
	if (!s->handler_errors)
		return;
	fprintf(stderr, "keytime-run: %llu errors in handlers (%llu distinct); tracing went on "
		"(--strict stops at the first)\n", (unsigned long long)s->handler_errors,
		(unsigned long long)s->distinct_errors);
	s->exit_status = 1;
}

void kt_stats_report(struct kt_session *s)
{
	report_lost(s);
	report_untraced(s);
	report_handler_errors(s);
}
