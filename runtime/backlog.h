/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The backlog (kt.backlog): records copied out of the ring buffer as they
 * come, in order, for the script to take when the ring buffer is empty. */
#ifndef KEYTIME_BACKLOG_H
#define KEYTIME_BACKLOG_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct kt_backlog_block;

struct kt_backlog {
	struct kt_backlog_block *first, *last;   /* taken from first, added to last */
	size_t bytes;             /* held in blocks now */
	size_t limit;             /* most bytes it may hold */
	uint64_t queued;          /* records in it now */
	uint64_t dropped;         /* records not kept: the limit reached (or no memory) */
	size_t peak;              /* most bytes it held */
};

/* limit_bytes: most bytes it may hold (records beyond are dropped and counted). */
void kt_backlog_init(struct kt_backlog *b, size_t limit_bytes);
/* Copies a record in at the end; -1 (counted in dropped) when it cannot. */
int kt_backlog_push(struct kt_backlog *b, const void *rec, size_t size);
/* The oldest record (valid until it is popped), or NULL when empty. */
const void *kt_backlog_peek(const struct kt_backlog *b, size_t *size);
void kt_backlog_pop(struct kt_backlog *b);
static inline bool kt_backlog_empty(const struct kt_backlog *b) { return !b || !b->queued; }
void kt_backlog_free(struct kt_backlog *b);

#endif
