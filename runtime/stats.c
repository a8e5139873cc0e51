// SPDX-License-Identifier: GPL-2.0-or-later
/* The run's counts (stats.h): events delivered, lost and not traced, for
 * kt.stats() and the end hook, and the report at the end of the run. */
#include <stdio.h>
#include <lua.h>
#include "session.h"
#include "stats.h"
#include "source.h"
#include "events.h"
#include "warn.h"
#include "backlog.h"
#include "stacks_not_kept.h"

void kt_stats_push(struct kt_session *s)
{
	lua_State *L = s->L;
	uint64_t lost[KT_KIND_MAX] = {0}, total = 0, lost_total;

	lost_total = kt_lost_total(s, lost);
	if (s->backlog)   /* kt.backlog's drops: events lost too, in no kind's count */
		lost_total += s->backlog->dropped;
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
	lua_pushinteger(L, kt_stacks_not_kept(s, NULL));
	lua_setfield(L, -2, "stacks_not_kept");
}

/* "N what: name n name n ..." for the non-zero counts[first..n-1]. */
static void report_counts(uint64_t total, const char *what, const uint64_t *counts,
			  unsigned first, unsigned n, const char *(*name)(unsigned))
{
	char line[1024] = "";
	size_t used = 0;

	for (unsigned i = first; i < n && used < sizeof(line); i++)
		if (counts[i])
			used += snprintf(line + used, sizeof(line) - used, " %s %llu", name(i),
					 (unsigned long long)counts[i]);
	kt_warn("%llu %s:%s", (unsigned long long)total, what, line);
}

static void report_lost(struct kt_session *s)
{
	uint64_t by_kind[KT_KIND_MAX] = {0};
	uint64_t total = kt_lost_total(s, by_kind);

	if (total)
		report_counts(total, "events lost (ring buffer full)", by_kind, 1, KT_KIND_MAX,
			      kt_kind_table_name);
}

static void report_untraced(struct kt_session *s)
{
	uint64_t by_reason[KT_UNTRACED_MAX];
	uint64_t total = kt_untraced_total(s, by_reason);
	char what[128];

	if (!total)
		return;
	snprintf(what, sizeof(what), "tasks not fully traced (maps full at %u entries: "
		 "raise with --max-targets)", s->probes.max_targets);
	report_counts(total, what, by_reason, 0, KT_UNTRACED_MAX, kt_untraced_name);
}

static void report_handler_errors(struct kt_session *s)
{
	if (!s->handler_errors)
		return;
	kt_warn("%llu errors in handlers (%llu distinct); tracing went on "
		"(--strict stops at the first)", (unsigned long long)s->handler_errors,
		(unsigned long long)s->distinct_errors);
	s->exit_status = 1;
}

void kt_stats_report(struct kt_session *s)
{
	report_lost(s);
	report_untraced(s);
	kt_stacks_not_kept_report(s);
	report_handler_errors(s);
}
