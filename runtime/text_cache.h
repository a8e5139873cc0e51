/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Strings by 64-bit key, made once and kept (text_cache.c): the names of
 * kernel addresses (stacks.c) and of user frames (usyms.c). */
#ifndef KEYTIME_TEXT_CACHE_H
#define KEYTIME_TEXT_CACHE_H
#include <stddef.h>
#include <stdint.h>

struct kt_text_slot;

struct kt_text_cache {
	struct kt_text_slot *slots;   /* open addressing, power-of-two size */
	size_t cap, used;
};

/* The text kept for key, or NULL. */
const char *kt_text_cache_find(const struct kt_text_cache *c, uint64_t key);
/* Keeps text (malloc'd; the cache owns it from now) for a key not found;
 * returns it, or NULL (text freed) when out of memory or text is NULL. */
const char *kt_text_cache_put(struct kt_text_cache *c, uint64_t key, char *text);
void kt_text_cache_free(struct kt_text_cache *c);

#endif
