// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of runtime/backlog.c: records come out whole and in the order
 * they went in, across blocks, with a record larger than a block, and what
 * the limit does not allow is dropped and counted. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "backlog.h"

/* Record i: i % 200 + 1 bytes, each byte (i + offset) & 0xff. */
static size_t fill(unsigned char *buf, unsigned i)
{
	size_t n = i % 200 + 1;

	for (size_t k = 0; k < n; k++)
		buf[k] = (unsigned char)(i + k);
	return n;
}

static void expect_record(struct kt_backlog *b, unsigned i)
{
	unsigned char want[256];
	size_t n = fill(want, i), size = 0;
	const void *rec = kt_backlog_peek(b, &size);

	assert_non_null(rec);
	assert_int_equal(size, n);
	assert_memory_equal(rec, want, n);
	kt_backlog_pop(b);
}

static void order_across_blocks(void **state)
{
	struct kt_backlog b;
	unsigned char buf[256];
	const unsigned total = 50000;   /* about 6 MB with headers: several blocks */

	(void)state;
	kt_backlog_init(&b, 64u << 20);
	assert_true(kt_backlog_empty(&b));
	/* Taken while more come, as the reader does: half in, a third out, ... */
	unsigned in = 0, out = 0;
	while (in < total) {
		for (unsigned k = 0; k < 3000 && in < total; k++, in++)
			assert_int_equal(kt_backlog_push(&b, buf, fill(buf, in)), 0);
		for (unsigned k = 0; k < 2000 && out < in; k++, out++)
			expect_record(&b, out);
	}
	assert_int_equal(b.queued, in - out);
	while (out < total)
		expect_record(&b, out++);
	assert_true(kt_backlog_empty(&b));
	assert_null(kt_backlog_peek(&b, &(size_t){0}));
	assert_int_equal(b.dropped, 0);
	assert_true(b.peak >= 2u << 20);
	kt_backlog_free(&b);
}

static void record_larger_than_a_block(void **state)
{
	struct kt_backlog b;
	size_t big = (3u << 20) + 5, size = 0;
	unsigned char *rec = malloc(big), small = 7;
	const unsigned char *got;

	(void)state;
	assert_non_null(rec);
	memset(rec, 0xab, big);
	kt_backlog_init(&b, 16u << 20);
	assert_int_equal(kt_backlog_push(&b, &small, 1), 0);
	assert_int_equal(kt_backlog_push(&b, rec, big), 0);
	assert_int_equal(kt_backlog_push(&b, &small, 1), 0);
	got = kt_backlog_peek(&b, &size);
	assert_int_equal(size, 1);
	assert_int_equal(got[0], 7);
	kt_backlog_pop(&b);
	got = kt_backlog_peek(&b, &size);
	assert_int_equal(size, big);
	assert_memory_equal(got, rec, big);
	kt_backlog_pop(&b);
	got = kt_backlog_peek(&b, &size);
	assert_int_equal(size, 1);
	kt_backlog_pop(&b);
	assert_true(kt_backlog_empty(&b));
	kt_backlog_free(&b);
	free(rec);
}

static void limit_drops_and_counts(void **state)
{
	struct kt_backlog b;
	unsigned char buf[256];
	static unsigned kept_ids[40000];
	unsigned kept = 0, dropped = 0;

	(void)state;
	kt_backlog_init(&b, 2u << 20);   /* two blocks */
	for (unsigned i = 0; i < 40000; i++) {
		if (kt_backlog_push(&b, buf, fill(buf, i)) == 0)
			kept_ids[kept++] = i;
		else
			dropped++;
	}
	assert_true(kept > 0);
	assert_true(dropped > 0);
	assert_int_equal(b.dropped, dropped);
	assert_int_equal(b.queued, kept);
	assert_true(b.bytes <= 2u << 20);
	/* What was kept comes out whole and in order (a smaller record may
	 * still fit after a larger one was dropped)... */
	for (unsigned i = 0; i < kept; i++)
		expect_record(&b, kept_ids[i]);
	/* ...and once taken, there is room again. */
	assert_int_equal(kt_backlog_push(&b, buf, fill(buf, 1)), 0);
	expect_record(&b, 1);
	kt_backlog_free(&b);
	assert_int_equal(b.queued, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_across_blocks),
		cmocka_unit_test(record_larger_than_a_block),
		cmocka_unit_test(limit_drops_and_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
