// SPDX-License-Identifier: GPL-2.0-or-later
/* A run's metrics: the script's registry (kt.metrics) and keytime's own
 * health, rendered by the event loop into text that the HTTP thread
 * (metrics_http.c) serves, so that thread never touches Lua or the run. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <lauxlib.h>
#include "session.h"
#include "source.h"
#include "backlog.h"
#include "events.h"
#include "metrics.h"
#include "metrics_http.h"
#include "metrics_serve.h"
#include "lua_metrics.h"
#include "ring_reader.h"
#include "warn.h"

static void self_metric(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* keytime's own health, under keytime_tracer_*. */
static void render_self(struct kt_session *s, FILE *out)
{
	uint64_t lost[KT_KIND_MAX] = { 0 }, untraced[KT_UNTRACED_MAX] = { 0 };
	struct rusage ru;
	long pages = 0, rss = 0;
	FILE *statm;

	kt_lost_total(s, lost);
	kt_untraced_total(s, untraced);
	self_metric(out, "keytime_tracer_events_total", "counter", "Events delivered to the script, by kind.");
	for (unsigned k = 1; k < KT_KIND_MAX; k++)
		fprintf(out, "keytime_tracer_events_total{kind=\"%s\"} %llu\n", kt_kind_name(k),
			(unsigned long long)s->events[k]);
	self_metric(out, "keytime_tracer_lost_events_total", "counter",
		    "Events the kernel could not deliver (the ring buffer was full), by kind.");
	for (unsigned k = 1; k < KT_KIND_MAX; k++)
		fprintf(out, "keytime_tracer_lost_events_total{kind=\"%s\"} %llu\n", kt_kind_name(k),
			(unsigned long long)lost[k]);
	self_metric(out, "keytime_tracer_backlog_dropped_total", "counter",
		    "Events dropped because kt.backlog's limit was reached (0 without kt.backlog).");
	fprintf(out, "keytime_tracer_backlog_dropped_total %llu\n",
		(unsigned long long)(s->backlog ? s->backlog->dropped : 0));
	self_metric(out, "keytime_tracer_untraced_total", "counter",
		    "Tasks not traced for want of room in the filter map, by reason.");
	for (unsigned r = 0; r < KT_UNTRACED_MAX; r++)
		fprintf(out, "keytime_tracer_untraced_total{reason=\"%s\"} %llu\n", kt_untraced_name(r),
			(unsigned long long)untraced[r]);
	self_metric(out, "keytime_tracer_handler_errors_total", "counter", "Errors raised by the script's handlers and timers.");
	fprintf(out, "keytime_tracer_handler_errors_total %llu\n", (unsigned long long)s->handler_errors);
	self_metric(out, "keytime_tracer_metric_series_refused_total", "counter",
		    "Label sets refused because a metric had too many series.");
	fprintf(out, "keytime_tracer_metric_series_refused_total %llu\n", kt_metrics_refused(s->metrics));
	if (s->rb) {
		self_metric(out, "keytime_tracer_ringbuf_pending_bytes", "gauge",
			    "Bytes in the ring buffer not yet read, at the last refresh.");
		fprintf(out, "keytime_tracer_ringbuf_pending_bytes %lu\n", kt_ring_pending(s->rb));
	}
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		self_metric(out, "keytime_tracer_cpu_seconds_total", "counter", "keytime-run's own CPU time, user and system.");
		fprintf(out, "keytime_tracer_cpu_seconds_total %.6f\n",
			ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
			(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	}
	if ((statm = fopen("/proc/self/statm", "r"))) {
		if (fscanf(statm, "%ld %ld", &pages, &rss) == 2) {
			self_metric(out, "keytime_tracer_resident_bytes", "gauge", "keytime-run's resident memory.");
			fprintf(out, "keytime_tracer_resident_bytes %lld\n", (long long)rss * sysconf(_SC_PAGESIZE));
		}
		fclose(statm);
	}
	self_metric(out, "keytime_tracer_scrapes_total", "counter", "Scrapes of /metrics answered.");
	fprintf(out, "keytime_tracer_scrapes_total %llu\n", kt_metrics_http_scrapes(s->metrics_http));
}

static void publish(struct kt_session *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return;
	kt_metrics_render(s->metrics, out);
	render_self(s, out);
	if (fclose(out) == 0)
		kt_metrics_http_publish(s->metrics_http, text, len);
	free(text);
}

int kt_metrics_serve(struct kt_session *s, const char *where, double interval_s,
		     char *err, size_t errlen)
{
	if (s->metrics_http) {
		snprintf(err, errlen, "metrics are served already (on port %d)",
			 kt_metrics_http_port(s->metrics_http));
		return -1;
	}
	if (!(interval_s > 0) || interval_s > 3600) {
		snprintf(err, errlen, "metrics: the refresh interval must be in (0, 3600] seconds");
		return -1;
	}
	if (!s->metrics && !(s->metrics = kt_metrics_new())) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!(s->metrics_http = kt_metrics_http_start(where, err, errlen)))
		return -1;
	s->metrics_every_ns = (uint64_t)(interval_s * 1e9);
	s->metrics_next_ns = 0;
	publish(s);
	kt_warn("serving /metrics on %s", kt_metrics_http_address(s->metrics_http));
	return 0;
}

void kt_metrics_publish_due(struct kt_session *s, uint64_t now)
{
	if (!s->metrics_http || now < s->metrics_next_ns)
		return;
	s->metrics_next_ns = now + s->metrics_every_ns;
	publish(s);
}

uint64_t kt_metrics_next_due(const struct kt_session *s)
{
	return s->metrics_http ? s->metrics_next_ns : UINT64_MAX;
}

/* kt.metrics.listen(where [, interval_s]) */
static int metrics_listen(lua_State *L)
{
	struct kt_session *s = lua_touserdata(L, lua_upvalueindex(1));
	const char *where = luaL_checkstring(L, 1);
	double interval = luaL_optnumber(L, 2, 1);
	char err[256];

	if (kt_metrics_serve(s, where, interval, err, sizeof(err)))
		return luaL_error(L, "%s", err);
	lua_pushinteger(L, kt_metrics_http_port(s->metrics_http));
	return 1;
}

void kt_metrics_push_module(lua_State *L, struct kt_session *s)
{
	if (!s->metrics && !(s->metrics = kt_metrics_new()))
		luaL_error(L, "out of memory");
	kt_metrics_lua_push(L, s->metrics);
	lua_pushlightuserdata(L, s);
	lua_pushcclosure(L, metrics_listen, 1);
	lua_setfield(L, -2, "listen");
}

void kt_metrics_close(struct kt_session *s)
{
	kt_metrics_http_stop(s->metrics_http);
	s->metrics_http = NULL;
	kt_metrics_free(s->metrics);
	s->metrics = NULL;
}
