/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reader of the probes' ring buffer (BPF_MAP_TYPE_RINGBUF), mapped into
 * memory. It does what libbpf's ring_buffer does, but says where it has
 * read to (the consumer position) only every 64th of the ring (64 KB at
 * most) and when it stops, not after every record: the probes read that
 * position at every reservation, and a reader that wrote it after each
 * record took its cache line away from the traced CPU each time (a pingpong
 * storm ran about 4% slower while the reader kept up with it). A 64th
 * leaves the probes all but that much room. */
#ifndef KEYTIME_RING_READER_H
#define KEYTIME_RING_READER_H
#include <stddef.h>

#define KT_RING_PUBLISH_MAX (64ul << 10)

/* Hands over one record; a negative return stops the read after it. */
typedef int (*kt_ring_fn)(void *ctx, void *data, size_t size);

/* The ring as mapped: the kernel's layout, which a test can make in
 * ordinary memory. data is mapped twice over, so a record that wraps
 * around the end reads as one piece. */
struct kt_ring_view {
	unsigned long *consumer_pos;   /* written by us */
	const unsigned long *producer_pos;
	const char *data;
	unsigned long mask;            /* data size - 1 (a power of two) */
	unsigned long publish_every;   /* bytes: kt_ring_publish_every() */
};

static inline unsigned long kt_ring_publish_every(unsigned long size)
{
	return size / 64 < KT_RING_PUBLISH_MAX ? size / 64 : KT_RING_PUBLISH_MAX;
}

/* Reads what has been committed: the number of records handed over, or the
 * callback's negative return (the position is then past that record). The
 * position is always published before it returns. */
int kt_ring_read(struct kt_ring_view *v, kt_ring_fn fn, void *ctx);
/* Bytes the probes have written that the reader has not published as read:
 * the fill level, up to one publish step high while a read is under way. */
unsigned long kt_ring_view_pending(const struct kt_ring_view *v);

struct kt_ring;

/* Maps the ring buffer map map_fd; NULL with errno set when it cannot. */
struct kt_ring *kt_ring_open(int map_fd, kt_ring_fn fn, void *ctx);
void kt_ring_close(struct kt_ring *r);
/* The descriptor to poll: readable when records wait. */
int kt_ring_fd(const struct kt_ring *r);
/* kt_ring_read() of what has been committed. */
int kt_ring_consume(struct kt_ring *r);
/* Waits up to timeout_ms for records, then reads them: as kt_ring_consume,
 * or -errno when the wait failed (-EINTR for a signal). */
int kt_ring_poll(struct kt_ring *r, int timeout_ms);
/* kt_ring_view_pending() of the mapped ring. */
unsigned long kt_ring_pending(const struct kt_ring *r);

#endif
