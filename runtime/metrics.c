// SPDX-License-Identifier: GPL-2.0-or-later
/* Counters, gauges and histograms with labels, and their Prometheus text
 * exposition. A metric's series are found by their label values joined in
 * one key, through an open-addressing hash table. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"
#include "grow.h"

struct series {
	char *key;              /* label values, each followed by '\0' */
	double value;           /* counter, gauge; histogram: the sum */
	uint64_t count;         /* histogram: observations */
	uint64_t *buckets;      /* histogram: per bucket, not cumulative */
};

struct kt_metric {
	enum kt_metric_type type;
	char *name, *help;
	char *labels[KT_METRIC_MAX_LABELS];
	int nlabels;
	double bounds[KT_METRIC_MAX_BUCKETS];
	int nbounds;
	struct series *series;
	size_t nseries, cap;
	uint32_t *index;        /* slot -> series number + 1; 0: empty */
	size_t index_cap;       /* a power of two, > 2 * nseries */
	struct kt_metrics *owner;
	struct kt_metric *next;
};

struct kt_metrics {
	struct kt_metric *first, **last;
	unsigned long long refused;
};

struct kt_metrics *kt_metrics_new(void)
{
	struct kt_metrics *m = calloc(1, sizeof(*m));

	if (m)
		m->last = &m->first;
	return m;
}

static void metric_free(struct kt_metric *metric)
{
	for (size_t i = 0; i < metric->nseries; i++) {
		free(metric->series[i].key);
		free(metric->series[i].buckets);
	}
	for (int i = 0; i < metric->nlabels; i++)
		free(metric->labels[i]);
	free(metric->series);
	free(metric->index);
	free(metric->name);
	free(metric->help);
	free(metric);
}

void kt_metrics_free(struct kt_metrics *m)
{
	if (!m)
		return;
	for (struct kt_metric *n, *metric = m->first; metric; metric = n) {
		n = metric->next;
		metric_free(metric);
	}
	free(m);
}

/* Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names the same without ':'
 * and not starting with "__" (reserved by Prometheus). */
int kt_metrics_valid_name(const char *name, int label)
{
	if (!name || !*name || (label && !strncmp(name, "__", 2)))
		return 0;
	for (const char *p = name; *p; p++) {
		char c = *p;
		bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (!label && c == ':') || (p > name && c >= '0' && c <= '9');
		if (!ok)
			return 0;
	}
	return 1;
}

struct kt_metric *kt_metric_find(struct kt_metrics *m, const char *name)
{
	for (struct kt_metric *metric = m->first; metric; metric = metric->next)
		if (!strcmp(metric->name, name))
			return metric;
	return NULL;
}

struct kt_metric *kt_metric_new(struct kt_metrics *m, enum kt_metric_type type,
				const char *name, const char *help,
				const char *const *labels, int nlabels,
				const double *buckets, int nbuckets,
				char *err, size_t errlen)
{
	struct kt_metric *metric;

	if (!kt_metrics_valid_name(name, 0)) {
		snprintf(err, errlen, "'%s' is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)",
			 name ? name : "");
		return NULL;
	}
	if (kt_metric_find(m, name)) {
		snprintf(err, errlen, "a metric named '%s' exists already", name);
		return NULL;
	}
	if (nlabels < 0 || nlabels > KT_METRIC_MAX_LABELS) {
		snprintf(err, errlen, "%s: at most %d labels", name, KT_METRIC_MAX_LABELS);
		return NULL;
	}
	for (int i = 0; i < nlabels; i++) {
		if (!kt_metrics_valid_name(labels[i], 1) ||
		    (type == KT_METRIC_HISTOGRAM && !strcmp(labels[i], "le"))) {
			snprintf(err, errlen, "%s: '%s' is not a valid label name", name, labels[i]);
			return NULL;
		}
		for (int j = 0; j < i; j++)
			if (!strcmp(labels[i], labels[j])) {
				snprintf(err, errlen, "%s: label '%s' given twice", name, labels[i]);
				return NULL;
			}
	}
	if (type == KT_METRIC_HISTOGRAM) {
		if (nbuckets < 1 || nbuckets > KT_METRIC_MAX_BUCKETS) {
			snprintf(err, errlen, "%s: a histogram needs 1 to %d buckets", name,
				 KT_METRIC_MAX_BUCKETS);
			return NULL;
		}
		for (int i = 0; i < nbuckets; i++)
			if (isnan(buckets[i]) || isinf(buckets[i]) || (i && buckets[i] <= buckets[i - 1])) {
				snprintf(err, errlen, "%s: bucket bounds must be finite and increasing", name);
				return NULL;
			}
	}
	metric = calloc(1, sizeof(*metric));
	if (!metric || !(metric->name = strdup(name)) || !(metric->help = strdup(help ? help : "")))
		goto oom;
	metric->type = type;
	metric->owner = m;
	for (int i = 0; i < nlabels; i++) {
		if (!(metric->labels[i] = strdup(labels[i])))
			goto oom;
		metric->nlabels = i + 1;
	}
	if (type == KT_METRIC_HISTOGRAM) {
		memcpy(metric->bounds, buckets, nbuckets * sizeof(*buckets));
		metric->nbounds = nbuckets;
	}
	*m->last = metric;
	m->last = &metric->next;
	return metric;
oom:
	if (metric)
		metric_free(metric);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

enum kt_metric_type kt_metric_type(const struct kt_metric *metric)
{
	return metric->type;
}

int kt_metric_nlabels(const struct kt_metric *metric)
{
	return metric->nlabels;
}

unsigned long long kt_metrics_refused(const struct kt_metrics *m)
{
	return m->refused;
}

/* The label values as one key: each value and its '\0'. */
static size_t key_len(const struct kt_metric *metric, const char *const *values)
{
	size_t n = 0;

	for (int i = 0; i < metric->nlabels; i++)
		n += strlen(values[i]) + 1;
	return n;
}

static bool key_equal(const struct kt_metric *metric, const char *key, const char *const *values)
{
	for (int i = 0; i < metric->nlabels; i++) {
		if (strcmp(key, values[i]))
			return false;
		key += strlen(key) + 1;
	}
	return true;
}

static void write_key(const struct kt_metric *metric, char *key, const char *const *values)
{
	for (int i = 0; i < metric->nlabels; i++) {
		size_t n = strlen(values[i]);
		memcpy(key, values[i], n + 1);
		key += n + 1;
	}
}

static uint64_t hash_values(const struct kt_metric *metric, const char *const *values)
{
	uint64_t h = 1469598103934665603ull;

	for (int i = 0; i < metric->nlabels; i++)
		for (const char *p = values[i];; p++) {
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
			if (!*p)
				break;
		}
	return h;
}

static int grow_index(struct kt_metric *metric)
{
	size_t cap = metric->index_cap ? 2 * metric->index_cap : 16;
	uint32_t *index = calloc(cap, sizeof(*index));

	if (!index)
		return -1;
	for (size_t i = 0; i < metric->nseries; i++) {
		/* The stored key holds the values, each NUL-terminated. */
		const char *vals[KT_METRIC_MAX_LABELS], *p = metric->series[i].key;
		size_t at;

		for (int l = 0; l < metric->nlabels; l++) {
			vals[l] = p;
			p += strlen(p) + 1;
		}
		at = hash_values(metric, vals) & (cap - 1);
		while (index[at])
			at = (at + 1) & (cap - 1);
		index[at] = (uint32_t)i + 1;
	}
	free(metric->index);
	metric->index = index;
	metric->index_cap = cap;
	return 0;
}

/* The series of these label values, made when new; NULL when refused. */
static struct series *series_of(struct kt_metric *metric, const char *const *values, bool create,
				char *err, size_t errlen)
{
	size_t at, len;
	struct series *s;

	for (int i = 0; i < metric->nlabels; i++)
		if (!values[i]) {
			snprintf(err, errlen, "%s: no value for label '%s'", metric->name, metric->labels[i]);
			return NULL;
		}
	if (metric->index_cap) {
		at = hash_values(metric, values) & (metric->index_cap - 1);
		for (; metric->index[at]; at = (at + 1) & (metric->index_cap - 1)) {
			s = &metric->series[metric->index[at] - 1];
			if (key_equal(metric, s->key, values))
				return s;
		}
	}
	if (!create)
		return NULL;
	if (metric->nseries >= KT_METRIC_MAX_SERIES) {
		metric->owner->refused++;
		snprintf(err, errlen, "%s: more than %d label sets", metric->name, KT_METRIC_MAX_SERIES);
		return NULL;
	}
	if (metric->nseries == metric->cap &&
	    kt_grow(&metric->series, &metric->cap, sizeof(*metric->series), 8))
		goto oom;
	if (2 * (metric->nseries + 1) >= metric->index_cap && grow_index(metric))
		goto oom;
	s = &metric->series[metric->nseries];
	memset(s, 0, sizeof(*s));
	len = key_len(metric, values);
	if (!(s->key = malloc(len ? len : 1)))
		goto oom;
	write_key(metric, s->key, values);
	if (metric->type == KT_METRIC_HISTOGRAM &&
	    !(s->buckets = calloc(metric->nbounds + 1, sizeof(*s->buckets)))) {
		free(s->key);
		goto oom;
	}
	at = hash_values(metric, values) & (metric->index_cap - 1);
	while (metric->index[at])
		at = (at + 1) & (metric->index_cap - 1);
	metric->index[at] = (uint32_t)++metric->nseries;
	return s;
oom:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

static const char *const type_names[] = { "counter", "gauge", "histogram" };

const char *kt_metric_type_name(enum kt_metric_type type)
{
	return type_names[type];
}

int kt_metric_add(struct kt_metric *metric, const char *const *values, double v,
		  char *err, size_t errlen)
{
	struct series *s;

	if (metric->type == KT_METRIC_HISTOGRAM) {
		snprintf(err, errlen, "%s is a histogram: use observe", metric->name);
		return -1;
	}
	if (metric->type == KT_METRIC_COUNTER && !(v >= 0)) {
		snprintf(err, errlen, "%s is a counter: it only goes up (got %g)", metric->name, v);
		return -1;
	}
	if (!(s = series_of(metric, values, true, err, errlen)))
		return -1;
	s->value += v;
	return 0;
}

int kt_metric_set(struct kt_metric *metric, const char *const *values, double v,
		  char *err, size_t errlen)
{
	struct series *s;

	if (metric->type != KT_METRIC_GAUGE) {
		snprintf(err, errlen, "%s is a %s: only gauges are set", metric->name,
			 type_names[metric->type]);
		return -1;
	}
	if (!(s = series_of(metric, values, true, err, errlen)))
		return -1;
	s->value = v;
	return 0;
}

int kt_metric_observe(struct kt_metric *metric, const char *const *values, double v,
		      char *err, size_t errlen)
{
	struct series *s;
	int b = 0;

	if (metric->type != KT_METRIC_HISTOGRAM) {
		snprintf(err, errlen, "%s is a %s: only histograms observe", metric->name,
			 type_names[metric->type]);
		return -1;
	}
	if (isnan(v)) {
		snprintf(err, errlen, "%s: cannot observe NaN", metric->name);
		return -1;
	}
	if (!(s = series_of(metric, values, true, err, errlen)))
		return -1;
	while (b < metric->nbounds && v > metric->bounds[b])
		b++;
	s->buckets[b]++;
	s->count++;
	s->value += v;
	return 0;
}

double kt_metric_value(struct kt_metric *metric, const char *const *values)
{
	char err[8];
	struct series *s = series_of(metric, values, false, err, sizeof(err));

	if (!s)
		return 0;
	return metric->type == KT_METRIC_HISTOGRAM ? (double)s->count : s->value;
}

/* The shortest decimal that reads back as v; integers without a point. */
void kt_metrics_write_value(FILE *out, double v)
{
	char buf[32];

	if (isnan(v)) {
		fputs("NaN", out);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "+Inf" : "-Inf", out);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, out);
}

/* HELP text escapes backslash and newline; label values also the quote. */
void kt_metrics_write_escaped(FILE *out, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (quote && *s == '"')
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

/* name{a="x",b="y"[,le="0.5"]} */
static void write_series_name(FILE *out, const struct kt_metric *metric, const char *suffix,
			      const char *key, const double *le)
{
	bool any = metric->nlabels || le;

	fputs(metric->name, out);
	fputs(suffix, out);
	if (!any)
		return;
	fputc('{', out);
	for (int i = 0; i < metric->nlabels; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "", metric->labels[i]);
		kt_metrics_write_escaped(out, key, 1);
		fputc('"', out);
		key += strlen(key) + 1;
	}
	if (le) {
		fprintf(out, "%sle=\"", metric->nlabels ? "," : "");
		kt_metrics_write_value(out, *le);
		fputc('"', out);
	}
	fputc('}', out);
}

void kt_metrics_render(const struct kt_metrics *m, FILE *out)
{
	static const double inf = INFINITY;

	for (const struct kt_metric *metric = m->first; metric; metric = metric->next) {
		fprintf(out, "# HELP %s ", metric->name);
		kt_metrics_write_escaped(out, metric->help, 0);
		fprintf(out, "\n# TYPE %s %s\n", metric->name, type_names[metric->type]);
		for (size_t i = 0; i < metric->nseries; i++) {
			const struct series *s = &metric->series[i];

			if (metric->type != KT_METRIC_HISTOGRAM) {
				write_series_name(out, metric, "", s->key, NULL);
				fputc(' ', out);
				kt_metrics_write_value(out, s->value);
				fputc('\n', out);
				continue;
			}
			uint64_t cumulative = 0;
			for (int b = 0; b <= metric->nbounds; b++) {
				cumulative += s->buckets[b];
				write_series_name(out, metric, "_bucket", s->key,
						  b < metric->nbounds ? &metric->bounds[b] : &inf);
				fprintf(out, " %llu\n", (unsigned long long)cumulative);
			}
			write_series_name(out, metric, "_sum", s->key, NULL);
			fputc(' ', out);
			kt_metrics_write_value(out, s->value);
			fputc('\n', out);
			write_series_name(out, metric, "_count", s->key, NULL);
			fprintf(out, " %llu\n", (unsigned long long)s->count);
		}
	}
}
