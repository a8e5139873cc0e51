// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the kernel's off-CPU pairs' pure parts: which switch-out
 * states open a spell (bpf/offwake_map.h), against the state letters the
 * events show (runtime/events.c), and the host's per-pair totals
 * (runtime/offwake_table.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <linux/types.h>
#include "keytime.h"
#include "offwake_map.h"
#include "offwake_table.h"
#include "events.h"

/* offwake.lua's event path leaves out "R" (preempted) and "X" (ended). */
static void blocking_as_the_events_say(void **state)
{
	for (__u32 s = 0; s < 0x1000; s++) {
		const char *l = kt_state_letter(s);
		int want = strcmp(l, "R") && strcmp(l, "X");
		if (kt_offwake_blocking(s) != want)
			fail_msg("state %#x (%s): blocking %d", s, l, kt_offwake_blocking(s));
	}
	assert_false(kt_offwake_blocking(0));
	assert_true(kt_offwake_blocking(0x1));      /* S */
	assert_true(kt_offwake_blocking(0x402));    /* I */
	assert_false(kt_offwake_blocking(0x80));    /* TASK_DEAD */
}

static struct kt_offwake_key key_of(__u32 tgid, __s32 kstack, const char *comm)
{
	struct kt_offwake_key k;

	memset(&k, 0, sizeof(k));
	k.tgid = tgid;
	k.kstack = kstack;
	k.waker_tgid = tgid + 1;
	strncpy(k.comm, comm, sizeof(k.comm));
	return k;
}

/* What grew since the last reading is added; nothing twice. */
static void takes_the_growth(void **state)
{
	struct kt_offwake_table t = { 0 };
	struct kt_offwake_key k = key_of(10, 3, "a");
	struct kt_offwake_pair *p = kt_offwake_table_get(&t, &k);

	assert_non_null(p);
	kt_offwake_table_take(p, &(struct kt_offwake_total){ 100, 2 });
	kt_offwake_table_take(p, &(struct kt_offwake_total){ 100, 2 });
	assert_int_equal(p->acc.ns, 100);
	assert_int_equal(p->acc.count, 2);
	kt_offwake_table_take(kt_offwake_table_get(&t, &k), &(struct kt_offwake_total){ 250, 5 });
	assert_int_equal(t.n, 1);
	assert_int_equal(p->acc.ns, 250);
	assert_int_equal(p->acc.count, 5);
	/* reset: what comes next only */
	kt_offwake_table_reset(&t);
	p = kt_offwake_table_get(&t, &k);
	assert_int_equal(p->acc.count, 0);
	kt_offwake_table_take(p, &(struct kt_offwake_total){ 300, 6 });
	assert_int_equal(p->acc.ns, 50);
	assert_int_equal(p->acc.count, 1);
	kt_offwake_table_free(&t);
}

/* A pair whose kernel entry was removed keeps what it had; one made again
 * in the kernel counts from zero; a reset drops it. */
static void removed_entries(void **state)
{
	struct kt_offwake_table t = { 0 };
	struct kt_offwake_key k = key_of(20, 4, "b");
	struct kt_offwake_pair *p = kt_offwake_table_get(&t, &k);

	kt_offwake_table_take(p, &(struct kt_offwake_total){ 1000, 10 });
	kt_offwake_table_removed(p);
	assert_true(p->gone);
	assert_int_equal(p->acc.count, 10);
	kt_offwake_table_take(p, &(struct kt_offwake_total){ 7, 1 });
	assert_false(p->gone);
	assert_int_equal(p->acc.ns, 1007);
	assert_int_equal(p->acc.count, 11);
	kt_offwake_table_removed(p);
	kt_offwake_table_reset(&t);
	assert_int_equal(t.n, 0);
	kt_offwake_table_free(&t);
}

/* Many keys, in any order: each found again, the table sorted, every
 * byte of the key counting (comm, stack ids). */
static void many_keys(void **state)
{
	struct kt_offwake_table t = { 0 };
	enum { N = 2000 };

	for (int i = 0; i < N; i++) {
		int j = (i * 7919) % N;
		struct kt_offwake_key k = key_of(j / 10, j % 10 - 5, j % 2 ? "odd" : "even");
		struct kt_offwake_pair *p = kt_offwake_table_get(&t, &k);
		assert_non_null(p);
		kt_offwake_table_take(p, &(struct kt_offwake_total){ (__u64)j, 1 });
	}
	assert_int_equal(t.n, N);
	for (size_t i = 1; i < t.n; i++)
		assert_true(memcmp(&t.p[i - 1].key, &t.p[i].key, sizeof(t.p[i].key)) < 0);
	for (int j = 0; j < N; j++) {
		struct kt_offwake_key k = key_of(j / 10, j % 10 - 5, j % 2 ? "odd" : "even");
		struct kt_offwake_pair *p = kt_offwake_table_get(&t, &k);
		assert_int_equal(p->acc.ns, j);
		assert_int_equal(p->acc.count, 1);
	}
	assert_int_equal(t.n, N);
	kt_offwake_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blocking_as_the_events_say),
		cmocka_unit_test(takes_the_growth),
		cmocka_unit_test(removed_entries),
		cmocka_unit_test(many_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
