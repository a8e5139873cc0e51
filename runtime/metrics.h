/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Metrics a script keeps (kt.metrics) and keytime's own, rendered in the
 * Prometheus text exposition format (version 0.0.4). Pure data: no Lua, no
 * HTTP (metrics_http.c serves what kt_metrics_render writes). Not thread
 * safe: the event loop owns it. */
#ifndef KT_METRICS_H
#define KT_METRICS_H
#include <stddef.h>
#include <stdio.h>

enum kt_metric_type { KT_METRIC_COUNTER, KT_METRIC_GAUGE, KT_METRIC_HISTOGRAM };

#define KT_METRIC_MAX_LABELS 8
#define KT_METRIC_MAX_BUCKETS 64
/* Series per metric: a label set past this is refused (and counted), so a
 * script labelling by pid cannot grow keytime-run without bound. */
#define KT_METRIC_MAX_SERIES 10000

struct kt_metrics;
struct kt_metric;

struct kt_metrics *kt_metrics_new(void);
void kt_metrics_free(struct kt_metrics *m);

/* A new metric; NULL with a one-line reason in err when the name, a label
 * name or the buckets are not valid, or the name is taken. buckets: the
 * histogram's upper bounds, increasing (+Inf is added); NULL for others. */
struct kt_metric *kt_metric_new(struct kt_metrics *m, enum kt_metric_type type,
				const char *name, const char *help,
				const char *const *labels, int nlabels,
				const double *buckets, int nbuckets,
				char *err, size_t errlen);
struct kt_metric *kt_metric_find(struct kt_metrics *m, const char *name);
enum kt_metric_type kt_metric_type(const struct kt_metric *metric);
/* "counter", "gauge" or "histogram": Prometheus' # TYPE word. */
const char *kt_metric_type_name(enum kt_metric_type type);
int kt_metric_nlabels(const struct kt_metric *metric);

/* Label values in the order the metric's labels were given. 0, or -1 with
 * a reason in err: a negative counter increment, too many series, a
 * histogram given to add/set. */
int kt_metric_add(struct kt_metric *metric, const char *const *values, double v,
		  char *err, size_t errlen);
int kt_metric_set(struct kt_metric *metric, const char *const *values, double v,
		  char *err, size_t errlen);
int kt_metric_observe(struct kt_metric *metric, const char *const *values, double v,
		      char *err, size_t errlen);
/* The series' value (counters, gauges) or count (histograms); 0 if none. */
double kt_metric_value(struct kt_metric *metric, const char *const *values);
/* Label sets refused for want of room, over every metric. */
unsigned long long kt_metrics_refused(const struct kt_metrics *m);

/* Every metric, in the order they were made; series in the order they
 * first appeared. */
void kt_metrics_render(const struct kt_metrics *m, FILE *out);

/* Exposition helpers, shared with the renderer of keytime's own metrics. */
void kt_metrics_write_value(FILE *out, double v);       /* 3, 0.25, +Inf, NaN */
void kt_metrics_write_escaped(FILE *out, const char *s, int quote); /* help or label value */
int kt_metrics_valid_name(const char *name, int label);

#endif
