// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
/* Unit tests of runtime/text_cache.c: every text kept is found by its key
 * after the table has grown many times; keys never put are not found. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "text_cache.h"

static char *text_of(uint64_t key)
{
	char *t;

	assert_true(asprintf(&t, "k%llx", (unsigned long long)key) > 0);
	return t;
}

static void found_after_growing(void **state)
{
	struct kt_text_cache c = { 0 };
	const unsigned n = 100000;

	(void)state;
	assert_null(kt_text_cache_find(&c, 1));
	/* Keys alike in their low bits (addresses, offsets) and key 0. */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t key = i << 12;
		const char *kept = kt_text_cache_put(&c, key, text_of(key));
		assert_non_null(kept);
		assert_ptr_equal(kt_text_cache_find(&c, key), kept);
	}
	assert_int_equal(c.used, n);
	assert_true(c.used * 2 <= c.cap);
	for (uint64_t i = 0; i < n; i++) {
		char want[32];
		snprintf(want, sizeof(want), "k%llx", (unsigned long long)(i << 12));
		assert_string_equal(kt_text_cache_find(&c, i << 12), want);
		assert_null(kt_text_cache_find(&c, (i << 12) + 1));
	}
	assert_null(kt_text_cache_put(&c, 7, NULL));
	kt_text_cache_free(&c);
	assert_null(kt_text_cache_find(&c, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(found_after_growing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
