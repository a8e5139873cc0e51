// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of runtime/metrics.c: the registry's rules and the exact
 * Prometheus text it renders. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "metrics.h"

static char *render(struct kt_metrics *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kt_metrics_render(m, f);
	fclose(f);
	return buf;
}

static void counters_and_gauges(void **state)
{
	struct kt_metrics *m = kt_metrics_new();
	const char *labels[] = { "comm", "how" };
	char err[200];
	struct kt_metric *ends = kt_metric_new(m, KT_METRIC_COUNTER, "keytime_ends_total",
					       "Processes ended.", labels, 2, NULL, 0, err, sizeof(err));
	struct kt_metric *up = kt_metric_new(m, KT_METRIC_GAUGE, "up_things", "Things\nup \\ now",
					     NULL, 0, NULL, 0, err, sizeof(err));
	char *text;

	assert_non_null(ends);
	assert_non_null(up);
	assert_int_equal(kt_metric_add(ends, (const char *[]){ "sh", "exit" }, 1, err, sizeof(err)), 0);
	assert_int_equal(kt_metric_add(ends, (const char *[]){ "sh", "exit" }, 2, err, sizeof(err)), 0);
	assert_int_equal(kt_metric_add(ends, (const char *[]){ "a\"b\\c\nd", "signal" }, 1, err, sizeof(err)), 0);
	assert_int_equal(kt_metric_set(up, NULL, 0.25, err, sizeof(err)), 0);
	assert_true(kt_metric_value(ends, (const char *[]){ "sh", "exit" }) == 3);
	assert_true(kt_metric_value(ends, (const char *[]){ "sh", "signal" }) == 0);

	/* A counter never goes down; a counter is not set; no histogram calls. */
	assert_int_equal(kt_metric_add(ends, (const char *[]){ "sh", "exit" }, -1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "only goes up"));
	assert_int_equal(kt_metric_set(ends, (const char *[]){ "sh", "exit" }, 5, err, sizeof(err)), -1);
	assert_int_equal(kt_metric_observe(up, NULL, 1, err, sizeof(err)), -1);
	assert_int_equal(kt_metric_add(ends, (const char *[]){ "sh", NULL }, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no value for label 'how'"));

	text = render(m);
	assert_string_equal(text,
		"# HELP keytime_ends_total Processes ended.\n"
		"# TYPE keytime_ends_total counter\n"
		"keytime_ends_total{comm=\"sh\",how=\"exit\"} 3\n"
		"keytime_ends_total{comm=\"a\\\"b\\\\c\\nd\",how=\"signal\"} 1\n"
		"# HELP up_things Things\\nup \\\\ now\n"
		"# TYPE up_things gauge\n"
		"up_things 0.25\n");
	free(text);
	kt_metrics_free(m);
}

static void histograms(void **state)
{
	struct kt_metrics *m = kt_metrics_new();
	const char *labels[] = { "comm" };
	const double bounds[] = { 0.001, 0.01, 0.1 };
	char err[200];
	struct kt_metric *h = kt_metric_new(m, KT_METRIC_HISTOGRAM, "runq_seconds", "Wait.",
					    labels, 1, bounds, 3, err, sizeof(err));
	const char *v[] = { "x" };
	char *text;

	assert_non_null(h);
	assert_int_equal(kt_metric_observe(h, v, 0.0005, err, sizeof(err)), 0);
	assert_int_equal(kt_metric_observe(h, v, 0.001, err, sizeof(err)), 0);  /* le is inclusive */
	assert_int_equal(kt_metric_observe(h, v, 0.05, err, sizeof(err)), 0);
	assert_int_equal(kt_metric_observe(h, v, 7, err, sizeof(err)), 0);
	assert_int_equal(kt_metric_observe(h, v, NAN, err, sizeof(err)), -1);
	assert_int_equal(kt_metric_add(h, v, 1, err, sizeof(err)), -1);
	text = render(m);
	assert_string_equal(text,
		"# HELP runq_seconds Wait.\n"
		"# TYPE runq_seconds histogram\n"
		"runq_seconds_bucket{comm=\"x\",le=\"0.001\"} 2\n"
		"runq_seconds_bucket{comm=\"x\",le=\"0.01\"} 2\n"
		"runq_seconds_bucket{comm=\"x\",le=\"0.1\"} 3\n"
		"runq_seconds_bucket{comm=\"x\",le=\"+Inf\"} 4\n"
		"runq_seconds_sum{comm=\"x\"} 7.0515\n"
		"runq_seconds_count{comm=\"x\"} 4\n");
	free(text);
	kt_metrics_free(m);
}

static void bad_definitions(void **state)
{
	struct kt_metrics *m = kt_metrics_new();
	char err[200];
	const double down[] = { 1, 0.5 };

	assert_null(kt_metric_new(m, KT_METRIC_COUNTER, "9lives", "", NULL, 0, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "not a valid metric name"));
	assert_null(kt_metric_new(m, KT_METRIC_COUNTER, "a-b", "", NULL, 0, NULL, 0, err, sizeof(err)));
	assert_null(kt_metric_new(m, KT_METRIC_COUNTER, "ok", "", (const char *[]){ "__x" }, 1,
				  NULL, 0, err, sizeof(err)));
	assert_null(kt_metric_new(m, KT_METRIC_COUNTER, "ok", "", (const char *[]){ "a", "a" }, 2,
				  NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "given twice"));
	assert_null(kt_metric_new(m, KT_METRIC_HISTOGRAM, "h", "", (const char *[]){ "le" }, 1,
				  (const double[]){ 1 }, 1, err, sizeof(err)));
	assert_null(kt_metric_new(m, KT_METRIC_HISTOGRAM, "h", "", NULL, 0, down, 2, err, sizeof(err)));
	assert_non_null(strstr(err, "increasing"));
	assert_non_null(kt_metric_new(m, KT_METRIC_GAUGE, "ok:sub", "", NULL, 0, NULL, 0, err, sizeof(err)));
	assert_null(kt_metric_new(m, KT_METRIC_COUNTER, "ok:sub", "", NULL, 0, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "exists already"));
	kt_metrics_free(m);
}

/* Many label sets: each found again (the index grows), and past the cap
 * refused and counted, never stored. */
static void many_series(void **state)
{
	struct kt_metrics *m = kt_metrics_new();
	char err[200], name[32];
	struct kt_metric *c = kt_metric_new(m, KT_METRIC_COUNTER, "c", "", (const char *[]){ "pid" }, 1,
					    NULL, 0, err, sizeof(err));
	const char *v[] = { name };

	for (int round = 0; round < 2; round++)
		for (int i = 0; i < KT_METRIC_MAX_SERIES; i++) {
			snprintf(name, sizeof(name), "%d", i);
			assert_int_equal(kt_metric_add(c, v, i, err, sizeof(err)), 0);
		}
	for (int i = 0; i < KT_METRIC_MAX_SERIES; i += 997) {
		snprintf(name, sizeof(name), "%d", i);
		assert_true(kt_metric_value(c, v) == 2.0 * i);
	}
	snprintf(name, sizeof(name), "one too many");
	assert_int_equal(kt_metric_add(c, v, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "label sets"));
	assert_int_equal(kt_metrics_refused(m), 1);
	kt_metrics_free(m);
}

static void values(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	kt_metrics_write_value(f, 3);
	fputc(' ', f);
	kt_metrics_write_value(f, 0.1);
	fputc(' ', f);
	kt_metrics_write_value(f, 1e300);
	fputc(' ', f);
	kt_metrics_write_value(f, 123456789012345678.0);
	fputc(' ', f);
	kt_metrics_write_value(f, -INFINITY);
	fputc(' ', f);
	kt_metrics_write_value(f, NAN);
	fclose(f);
	assert_string_equal(buf, "3 0.1 1e+300 1.2345678901234568e+17 -Inf NaN");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_and_gauges),
		cmocka_unit_test(histograms),
		cmocka_unit_test(bad_definitions),
		cmocka_unit_test(many_series),
		cmocka_unit_test(values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
