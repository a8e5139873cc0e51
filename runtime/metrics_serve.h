/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A run's metrics (metrics_serve.c): the script's (kt.metrics) and
 * keytime's own, published for the /metrics endpoint by the event loop. */
#ifndef KT_METRICS_SERVE_H
#define KT_METRICS_SERVE_H
#include <stddef.h>
#include <stdint.h>
#include <lua.h>

struct kt_session;

/* Starts serving on where (ADDR:PORT), refreshed every interval_s seconds;
 * says where on stderr. 0, or -1 with a one-line reason in err. */
int kt_metrics_serve(struct kt_session *s, const char *where, double interval_s,
		     char *err, size_t errlen);
/* Renders and publishes when due (the loop calls it on each turn). */
void kt_metrics_publish_due(struct kt_session *s, uint64_t now);
/* When the next publication is due; UINT64_MAX when not serving. */
uint64_t kt_metrics_next_due(const struct kt_session *s);
/* Pushes kt.metrics (counter, gauge, histogram, listen). */
void kt_metrics_push_module(lua_State *L, struct kt_session *s);
/* Stops the server and frees the metrics. */
void kt_metrics_close(struct kt_session *s);

#endif
