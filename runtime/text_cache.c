// SPDX-License-Identifier: GPL-2.0-or-later
/* text_cache.h: linear probing, at most half full, grown by doubling. */
#include <stdlib.h>
#include "text_cache.h"

struct kt_text_slot {
	uint64_t key;
	char *text;   /* NULL: a free slot */
};

static size_t home(uint64_t key, size_t cap)
{
	return (key * 0x9E3779B97F4A7C15ULL >> 20) & (cap - 1);
}

static int grow(struct kt_text_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : 1024;
	struct kt_text_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->slots[i].text)
			continue;
		size_t j = home(c->slots[i].key, cap);
		while (slots[j].text)
			j = (j + 1) & (cap - 1);
		slots[j] = c->slots[i];
	}
	free(c->slots);
	c->slots = slots;
	c->cap = cap;
	return 0;
}

const char *kt_text_cache_find(const struct kt_text_cache *c, uint64_t key)
{
	if (!c->cap)
		return NULL;
	for (size_t j = home(key, c->cap); c->slots[j].text; j = (j + 1) & (c->cap - 1))
		if (c->slots[j].key == key)
			return c->slots[j].text;
	return NULL;
}

const char *kt_text_cache_put(struct kt_text_cache *c, uint64_t key, char *text)
{
	size_t j;

	if (!text)
		return NULL;
	if ((c->used + 1) * 2 > c->cap && grow(c)) {
		free(text);
		return NULL;
	}
	for (j = home(key, c->cap); c->slots[j].text; j = (j + 1) & (c->cap - 1))
		;
	c->slots[j].key = key;
	c->slots[j].text = text;
	c->used++;
	return text;
}

void kt_text_cache_free(struct kt_text_cache *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->slots[i].text);
	free(c->slots);
	c->slots = NULL;
	c->cap = c->used = 0;
}
