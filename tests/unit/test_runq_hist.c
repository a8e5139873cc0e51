// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the probes' run-queue histogram bucket (bpf/runq_hist_map.h):
 * the bucket lua/keytime/hist.lua's log2 histogram puts the same latency
 * in, whole microseconds: 0 for 0, 1 for 1, k for [2^(k-1), 2^k). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <linux/types.h>
#include "keytime.h"
#include "runq_hist_map.h"

/* hist.lua's index(), as it is written there: halve until below 1. */
static __u32 lua_bucket(__u64 ns)
{
	__u64 v = ns / 1000;
	__u32 i = 0;

	while (v >= 1) {
		v /= 2;
		i++;
	}
	return i;
}

static void small_values(void **state)
{
	assert_int_equal(kt_runq_hist_slot(0), 0);
	assert_int_equal(kt_runq_hist_slot(999), 0);
	assert_int_equal(kt_runq_hist_slot(1000), 1);
	assert_int_equal(kt_runq_hist_slot(1999), 1);
	assert_int_equal(kt_runq_hist_slot(2000), 2);
	assert_int_equal(kt_runq_hist_slot(3999), 2);
	assert_int_equal(kt_runq_hist_slot(4000), 3);
	assert_int_equal(kt_runq_hist_slot(1024000), 11);   /* [1K, 2K) us */
}

/* Each bucket's edges, and every value up to 70 ms. */
static void edges_as_hist_lua(void **state)
{
	for (int k = 1; k < 55; k++) {
		__u64 low_ns = (1ULL << (k - 1)) * 1000;
		assert_int_equal(kt_runq_hist_slot(low_ns), k);
		assert_int_equal(kt_runq_hist_slot(low_ns - 1), lua_bucket(low_ns - 1));
		assert_int_equal(kt_runq_hist_slot(low_ns + 999), lua_bucket(low_ns + 999));
	}
	for (__u64 ns = 0; ns < 70000000; ns += 7)
		if (kt_runq_hist_slot(ns) != lua_bucket(ns))
			fail_msg("%llu ns: bucket %u, hist.lua's %u", (unsigned long long)ns,
				 kt_runq_hist_slot(ns), lua_bucket(ns));
}

static void largest_fits(void **state)
{
	assert_int_equal(kt_runq_hist_slot(UINT64_MAX), lua_bucket(UINT64_MAX));
	assert_true(kt_runq_hist_slot(UINT64_MAX) < KT_RUNQ_HIST_SLOTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_values),
		cmocka_unit_test(edges_as_hist_lua),
		cmocka_unit_test(largest_fits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
