// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel symbols from /proc/kallsyms: a sorted array, binary search. */
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include "ksyms.h"
#include "grow.h"

struct ksym {
	uint64_t addr;
	char *name;
};

struct kt_ksyms {
	struct ksym *syms;
	size_t n, cap;
};

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct kt_ksyms *kt_ksyms_parse(FILE *in)
{
	struct kt_ksyms *k = calloc(1, sizeof(*k));
	char line[512];

	if (!k)
		return NULL;
	while (fgets(line, sizeof(line), in)) {
		char type, name[256];
		uint64_t addr;

		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3)
			continue;
		/* Only text symbols can be in a stack. */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (k->n == k->cap && kt_grow(&k->syms, &k->cap, sizeof(*k->syms), 4096))
			goto fail;
		k->syms[k->n].addr = addr;
		k->syms[k->n].name = strdup(name);
		if (!k->syms[k->n].name)
			goto fail;
		k->n++;
	}
	if (k->n)   /* syms is NULL when no line parsed */
		qsort(k->syms, k->n, sizeof(*k->syms), by_addr);
	return k;
fail:
	kt_ksyms_free(k);
	return NULL;
}

struct kt_ksyms *kt_ksyms_load(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	struct kt_ksyms *k;

	if (!f)
		return NULL;
	k = kt_ksyms_parse(f);
	fclose(f);
	return k;
}

void kt_ksyms_free(struct kt_ksyms *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		free(k->syms[i].name);
	free(k->syms);
	free(k);
}

size_t kt_ksyms_count(const struct kt_ksyms *k)
{
	return k ? k->n : 0;
}

/* The last symbol at or below addr. */
static const struct ksym *find(const struct kt_ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!k || !k->n || addr < k->syms[0].addr)
		return NULL;
	hi = k->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return &k->syms[lo];
}

const char *kt_ksyms_format(const struct kt_ksyms *k, uint64_t addr, char *buf, size_t len)
{
	const struct ksym *s = find(k, addr);

	if (s && s->addr)
		snprintf(buf, len, "%s+0x%" PRIx64, s->name, addr - s->addr);
	else
		snprintf(buf, len, "0x%" PRIx64, addr);
	return buf;
}
