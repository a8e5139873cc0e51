/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Growing an array by doubling, for the host's lists that only grow
 * (symbols, metric series, histogram entries). */
#ifndef KT_GROW_H
#define KT_GROW_H
#include <stdlib.h>

/* Makes room for one more item in *items (*cap items of size bytes, first
 * cap items the first time). 0, or -1 with *items and *cap unchanged when
 * memory runs out. */
static inline int kt_grow(void *items, size_t *cap, size_t size, size_t first)
{
	void **p = items;
	size_t n = *cap ? *cap * 2 : first;
	void *q = realloc(*p, n * size);

	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

#endif
