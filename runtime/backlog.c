// SPDX-License-Identifier: GPL-2.0-or-later
/* The backlog (backlog.h): a queue of fixed-size blocks, each holding
 * records as an 8-byte length and the record padded to 8 bytes. Blocks,
 * not one buffer grown by doubling: a backlog of hundreds of megabytes
 * never copies what it holds, and each step of growth costs the same
 * (a large realloc, with its page faults, stalled the reader long enough
 * for the ring buffer to fill). A record larger than a block gets a block
 * of its own size. */
#include <stdlib.h>
#include <string.h>
#include "backlog.h"

#define ALIGN8(n)   (((n) + 7) & ~(size_t)7)
#define HEADER      8
#define BLOCK_BYTES (1u << 20)

struct kt_backlog_block {
	struct kt_backlog_block *next;
	size_t size, used, read;   /* records are data[read..used) */
	unsigned char data[];
};

void kt_backlog_init(struct kt_backlog *b, size_t limit_bytes)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit_bytes;
}

static struct kt_backlog_block *new_block(struct kt_backlog *b, size_t need)
{
	size_t size = need > BLOCK_BYTES ? need : BLOCK_BYTES;
	struct kt_backlog_block *blk;

	if (b->bytes + size > b->limit || !(blk = malloc(sizeof(*blk) + size)))
		return NULL;
	blk->next = NULL;
	blk->size = size;
	blk->used = blk->read = 0;
	if (b->last)
		b->last->next = blk;
	else
		b->first = blk;
	b->last = blk;
	b->bytes += size;
	if (b->bytes > b->peak)
		b->peak = b->bytes;
	return blk;
}

int kt_backlog_push(struct kt_backlog *b, const void *rec, size_t size)
{
	size_t need = HEADER + ALIGN8(size);
	struct kt_backlog_block *blk = b->last;
	uint64_t len = size;

	if (!blk || blk->used + need > blk->size)
		blk = new_block(b, need);
	if (!blk) {
		b->dropped++;
		return -1;
	}
	memcpy(blk->data + blk->used, &len, HEADER);
	memcpy(blk->data + blk->used + HEADER, rec, size);
	blk->used += need;
	b->queued++;
	return 0;
}

const void *kt_backlog_peek(const struct kt_backlog *b, size_t *size)
{
	const struct kt_backlog_block *blk = b->first;
	uint64_t len;

	if (!b->queued)
		return NULL;
	while (blk->read == blk->used)
		blk = blk->next;
	memcpy(&len, blk->data + blk->read, HEADER);
	*size = (size_t)len;
	return blk->data + blk->read + HEADER;
}

static void drop_first(struct kt_backlog *b)
{
	struct kt_backlog_block *blk = b->first;

	b->first = blk->next;
	if (!b->first)
		b->last = NULL;
	b->bytes -= blk->size;
	free(blk);
}

void kt_backlog_pop(struct kt_backlog *b)
{
	struct kt_backlog_block *blk;
	uint64_t len;

	if (!b->queued)
		return;
	while (b->first->read == b->first->used)   /* an emptied block not yet freed */
		drop_first(b);
	blk = b->first;
	memcpy(&len, blk->data + blk->read, HEADER);
	blk->read += HEADER + ALIGN8((size_t)len);
	b->queued--;
	if (blk->read == blk->used) {
		if (blk->next)
			drop_first(b);
		else   /* the last one: used again from its start */
			blk->read = blk->used = 0;
	}
}

void kt_backlog_free(struct kt_backlog *b)
{
	while (b->first)
		drop_first(b);
	memset(b, 0, sizeof(*b));
}
