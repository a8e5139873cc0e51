// SPDX-License-Identifier: GPL-2.0-or-later
/* The host's per-pair totals of the kernel's off-CPU map (offwake_table.h).
 * The probes only ever add to a pair's totals; keeping the last reading
 * and adding the growth means nothing added while the host reads is lost,
 * and a pair whose kernel entry is removed (its process gone) keeps what
 * it had. */
#include <stdlib.h>
#include <string.h>
#include "offwake_table.h"
#include "grow.h"

struct kt_offwake_pair *kt_offwake_table_get(struct kt_offwake_table *t,
					     const struct kt_offwake_key *key)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (memcmp(&t->p[mid].key, key, sizeof(*key)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->n && !memcmp(&t->p[lo].key, key, sizeof(*key)))
		return &t->p[lo];
	if (t->n == t->cap && kt_grow(&t->p, &t->cap, sizeof(*t->p), 64))
		return NULL;
	memmove(&t->p[lo + 1], &t->p[lo], (t->n - lo) * sizeof(*t->p));
	t->n++;
	memset(&t->p[lo], 0, sizeof(*t->p));
	t->p[lo].key = *key;
	return &t->p[lo];
}

void kt_offwake_table_take(struct kt_offwake_pair *p, const struct kt_offwake_total *v)
{
	p->acc.ns += v->ns - p->seen.ns;
	p->acc.count += v->count - p->seen.count;
	p->seen = *v;
	p->gone = false;
}

void kt_offwake_table_removed(struct kt_offwake_pair *p)
{
	p->gone = true;
	memset(&p->seen, 0, sizeof(p->seen));
}

void kt_offwake_table_reset(struct kt_offwake_table *t)
{
	size_t j = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (t->p[i].gone)
			continue;
		t->p[j] = t->p[i];
		memset(&t->p[j].acc, 0, sizeof(t->p[j].acc));
		j++;
	}
	t->n = j;
}

void kt_offwake_table_free(struct kt_offwake_table *t)
{
	free(t->p);
	t->p = NULL;
	t->n = t->cap = 0;
}
