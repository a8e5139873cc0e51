/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host's side of the kernel's off-CPU totals by (wakee, waker) pair
 * (offwake_table.c): per pair, the totals last read from the kernel
 * ("seen") and what they grew by since the run began or the last reset
 * ("acc"). Pure bookkeeping, no map: offwake.c reads the map. */
#ifndef KT_OFFWAKE_TABLE_H
#define KT_OFFWAKE_TABLE_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "keytime.h"
#include "offwake_map.h"

struct kt_offwake_pair {
	struct kt_offwake_key key;
	bool gone;                      /* its kernel entry removed: seen is zero */
	struct kt_offwake_total seen, acc;
};

struct kt_offwake_table {
	struct kt_offwake_pair *p;      /* sorted by key (memcmp) */
	size_t n, cap;
};

/* The pair of key, made (zero) if absent; NULL when out of memory. */
struct kt_offwake_pair *kt_offwake_table_get(struct kt_offwake_table *t,
					     const struct kt_offwake_key *key);
/* The kernel's totals for the pair now are v: what grew since seen is added. */
void kt_offwake_table_take(struct kt_offwake_pair *p, const struct kt_offwake_total *v);
/* The kernel's entry was removed: its totals start again from zero. */
void kt_offwake_table_removed(struct kt_offwake_pair *p);
/* Empties acc; drops the pairs whose kernel entry was removed. */
void kt_offwake_table_reset(struct kt_offwake_table *t);
void kt_offwake_table_free(struct kt_offwake_table *t);

#endif
