// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of runtime/ring_reader.c on a ring laid out as the kernel lays
 * it out, in ordinary memory: records come out whole and in order, across
 * the end of the ring; discarded ones are skipped; a record still reserved
 * stops the read; a callback that stops it leaves the position just past
 * its record; the position is published in steps and at the end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <cmocka.h>
#include "ring_reader.h"

#define RING_SIZE (256u << 10)
#define STEP (RING_SIZE / 64)   /* kt_ring_publish_every() */

/* The kernel's side: data mapped twice over is two copies kept alike. */
struct fake_ring {
	unsigned long consumer_pos, producer_pos;
	char data[2 * RING_SIZE];
	struct kt_ring_view view;
	unsigned long max_seen_published;   /* largest step between two publications */
};

static struct fake_ring *ring_new(unsigned long start)
{
	struct fake_ring *f = calloc(1, sizeof(*f));

	f->consumer_pos = f->producer_pos = start;
	f->view = (struct kt_ring_view){ &f->consumer_pos, &f->producer_pos, f->data, RING_SIZE - 1,
					 kt_ring_publish_every(RING_SIZE) };
	return f;
}

static void ring_put(struct fake_ring *f, unsigned long pos, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned long at = (pos + i) & (RING_SIZE - 1);
		f->data[at] = f->data[at + RING_SIZE] = ((const char *)p)[i];
	}
}

/* Record i: i % 120 + 1 bytes of (i + k); flags: BUSY or DISCARD bits. */
static size_t fill(unsigned char *buf, unsigned i)
{
	size_t n = i % 120 + 1;

	for (size_t k = 0; k < n; k++)
		buf[k] = (unsigned char)(i + k);
	return n;
}

static void produce(struct fake_ring *f, unsigned i, uint32_t flags)
{
	unsigned char buf[128];
	uint32_t len = (uint32_t)fill(buf, i);
	uint32_t hdr[2] = { len | flags, 0 };

	ring_put(f, f->producer_pos, hdr, sizeof(hdr));
	ring_put(f, f->producer_pos + 8, buf, len);
	f->producer_pos += (len + 8 + 7) & ~7UL;
}

struct seen {
	struct fake_ring *ring;
	unsigned next;       /* the record expected next */
	unsigned skip_mod;   /* records i with i % skip_mod == 0 were discarded */
	unsigned stop_at;    /* return -1 for this record (0: never) */
	unsigned long last_published;
	unsigned publications;   /* seen by the callback */
};

static int take(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	unsigned char want[128];
	size_t n;

	if (s->skip_mod)
		while (s->next % s->skip_mod == 0)
			s->next++;
	n = fill(want, s->next);
	assert_int_equal(size, n);
	assert_memory_equal(data, want, n);
	/* publications so far: never a step of more than the threshold and a record */
	if (s->ring->consumer_pos != s->last_published) {
		assert_true(s->ring->consumer_pos - s->last_published <= STEP + 136);
		s->last_published = s->ring->consumer_pos;
		s->publications++;
	}
	return s->next++ == s->stop_at ? -1 : 0;
}

static void publish_step(void **state)
{
	(void)state;
	assert_int_equal(kt_ring_publish_every(RING_SIZE), STEP);
	assert_int_equal(kt_ring_publish_every(64 << 10), 1024);          /* a small ring: a 64th */
	assert_int_equal(kt_ring_publish_every(4ul << 20), 64 << 10);     /* the default 4 MB */
	assert_int_equal(kt_ring_publish_every(64ul << 20), 64 << 10);    /* at most 64 KB */
}

static void in_order_across_the_end(void **state)
{
	/* started near the end, as a ring that has been read for a while */
	struct fake_ring *f = ring_new(5 * RING_SIZE - 1000);
	struct seen s = { .ring = f, .next = 1, .last_published = f->consumer_pos };
	unsigned total = 0, read = 0;

	(void)state;
	for (int round = 0; round < 20; round++) {   /* 20 fills of most of the ring */
		while (f->producer_pos - f->consumer_pos < RING_SIZE - 200)
			produce(f, ++total, 0);
		unsigned long bytes = f->producer_pos - f->consumer_pos;
		s.publications = 0;
		int n = kt_ring_read(&f->view, take, &s);
		assert_int_equal(n, (int)(total - read));
		/* in steps while reading, so the probes get room; not per record */
		assert_true(s.publications >= bytes / STEP - 1);
		assert_true(s.publications <= bytes / STEP);
		read = total;
		assert_int_equal(f->consumer_pos, f->producer_pos);   /* published at the end */
		s.last_published = f->consumer_pos;
	}
	assert_int_equal(s.next, total + 1);
	assert_int_equal(kt_ring_read(&f->view, take, &s), 0);
	free(f);
}

static void discarded_skipped(void **state)
{
	struct fake_ring *f = ring_new(0);
	struct seen s = { .ring = f, .next = 1, .skip_mod = 3 };
	int kept = 0;

	(void)state;
	for (unsigned i = 1; i <= 300; i++) {
		produce(f, i, i % 3 == 0 ? BPF_RINGBUF_DISCARD_BIT : 0);
		kept += i % 3 != 0;
	}
	assert_int_equal(kt_ring_read(&f->view, take, &s), kept);
	assert_int_equal(f->consumer_pos, f->producer_pos);
	free(f);
}

static void reserved_stops_the_read(void **state)
{
	struct fake_ring *f = ring_new(0);
	struct seen s = { .ring = f, .next = 1 };
	unsigned long busy_at;

	(void)state;
	for (unsigned i = 1; i <= 10; i++)
		produce(f, i, 0);
	busy_at = f->producer_pos;
	produce(f, 11, BPF_RINGBUF_BUSY_BIT);   /* reserved, not committed */
	produce(f, 12, 0);                      /* committed after it */
	assert_int_equal(kt_ring_read(&f->view, take, &s), 10);
	assert_int_equal(f->consumer_pos, busy_at);
	/* committed now: the rest comes */
	uint32_t len = 11 % 120 + 1;
	ring_put(f, busy_at, &len, sizeof(len));
	assert_int_equal(kt_ring_read(&f->view, take, &s), 2);
	assert_int_equal(f->consumer_pos, f->producer_pos);
	free(f);
}

static void callback_stops_after_its_record(void **state)
{
	struct fake_ring *f = ring_new(0);
	struct seen s = { .ring = f, .next = 1, .stop_at = 7 };
	unsigned long after7 = 0;

	(void)state;
	for (unsigned i = 1; i <= 20; i++) {
		produce(f, i, 0);
		if (i == 7)
			after7 = f->producer_pos;
	}
	assert_int_equal(kt_ring_view_pending(&f->view), f->producer_pos);
	assert_int_equal(kt_ring_read(&f->view, take, &s), -1);
	assert_int_equal(f->consumer_pos, after7);
	assert_int_equal(kt_ring_view_pending(&f->view), f->producer_pos - after7);
	s.stop_at = 0;
	assert_int_equal(kt_ring_read(&f->view, take, &s), 13);
	assert_int_equal(s.next, 21);
	assert_int_equal(kt_ring_view_pending(&f->view), 0);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(publish_step),
		cmocka_unit_test(in_order_across_the_end),
		cmocka_unit_test(discarded_skipped),
		cmocka_unit_test(reserved_stops_the_read),
		cmocka_unit_test(callback_stops_after_its_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
