/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keytime-run --metrics ADDR:PORT: serves GET /metrics over HTTP from
 * libmicrohttpd's own thread. That thread never touches Lua or the
 * metrics themselves: it sends the last text the event loop published. */
#ifndef KT_METRICS_HTTP_H
#define KT_METRICS_HTTP_H
#include <stdbool.h>
#include <stddef.h>

struct kt_metrics_http;

/* Parses "ADDR:PORT", "[ADDR6]:PORT" or "PORT" (loopback); NULL with a
 * one-line reason in err (a bad address, a port in use). */
struct kt_metrics_http *kt_metrics_http_start(const char *where, char *err, size_t errlen);
/* The port it listens on (the one the kernel chose for port 0). */
int kt_metrics_http_port(const struct kt_metrics_http *h);
/* The address it listens on, as bound: "127.0.0.1:9464", "[::1]:9464". */
const char *kt_metrics_http_address(const struct kt_metrics_http *h);
/* Replaces the text scrapes get (copied). */
void kt_metrics_http_publish(struct kt_metrics_http *h, const char *text, size_t len);
/* Scrapes served so far. */
unsigned long long kt_metrics_http_scrapes(struct kt_metrics_http *h);
void kt_metrics_http_stop(struct kt_metrics_http *h);

#endif
