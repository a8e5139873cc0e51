// SPDX-License-Identifier: GPL-2.0-or-later
/* The probes' ring buffer, read from its mapping (see ring_reader.h for why
 * not libbpf's ring_buffer). The kernel's layout (kernel/bpf/ringbuf.c):
 * a page with the consumer position, which the reader may write; a page
 * with the producer position; then the data, mapped twice over. Each
 * record starts with 8 bytes: its length with a busy bit (reserved, not yet
 * committed) and a discard bit, then the kernel's page offset. Records are
 * 8-byte aligned. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "ring_reader.h"

static void publish(struct kt_ring_view *v, unsigned long pos)
{
	__atomic_store_n(v->consumer_pos, pos, __ATOMIC_RELEASE);
}

int kt_ring_read(struct kt_ring_view *v, kt_ring_fn fn, void *ctx)
{
	unsigned long cons = __atomic_load_n(v->consumer_pos, __ATOMIC_ACQUIRE), published = cons;
	unsigned long prod;
	int n = 0;

	/* Until a look at the producer's position finds nothing new. */
	while ((prod = __atomic_load_n(v->producer_pos, __ATOMIC_ACQUIRE)) > cons) {
		while (cons < prod) {
			const uint32_t *hdr = (const uint32_t *)(v->data + (cons & v->mask));
			uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);

			if (len & BPF_RINGBUF_BUSY_BIT)   /* reserved, not yet committed */
				goto out;
			cons += (((len & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ) + 7) & ~7UL;
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				int r = fn(ctx, (char *)hdr + BPF_RINGBUF_HDR_SZ, len);

				if (r < 0) {
					publish(v, cons);
					return r;
				}
				n++;
			}
			if (cons - published >= v->publish_every) {
				publish(v, cons);
				published = cons;
			}
		}
	}
out:
	if (cons != published)
		publish(v, cons);
	return n;
}

unsigned long kt_ring_view_pending(const struct kt_ring_view *v)
{
	unsigned long cons = __atomic_load_n(v->consumer_pos, __ATOMIC_ACQUIRE);
	unsigned long prod = __atomic_load_n(v->producer_pos, __ATOMIC_ACQUIRE);

	return prod - cons;
}

struct kt_ring {
	struct kt_ring_view view;
	int fd;
	void *consumer_page, *producer_map;
	size_t page, producer_len;
	kt_ring_fn fn;
	void *ctx;
};

struct kt_ring *kt_ring_open(int map_fd, kt_ring_fn fn, void *ctx)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct kt_ring *r;
	int e;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))   /* libbpf 1.1: no bpf_map_get_info_by_fd */
		return NULL;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1))) {
		errno = EINVAL;
		return NULL;
	}
	if (!(r = calloc(1, sizeof(*r))))
		return NULL;
	r->fd = map_fd;
	r->fn = fn;
	r->ctx = ctx;
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->producer_len = r->page + 2 * (size_t)info.max_entries;
	r->consumer_page = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (r->consumer_page == MAP_FAILED)
		goto fail;
	r->producer_map = mmap(NULL, r->producer_len, PROT_READ, MAP_SHARED, map_fd, (off_t)r->page);
	if (r->producer_map == MAP_FAILED)
		goto fail;
	r->view.consumer_pos = r->consumer_page;
	r->view.producer_pos = r->producer_map;
	r->view.data = (const char *)r->producer_map + r->page;
	r->view.mask = info.max_entries - 1;
	r->view.publish_every = kt_ring_publish_every(info.max_entries);
	return r;
fail:
	e = errno;
	if (r->consumer_page && r->consumer_page != MAP_FAILED)
		munmap(r->consumer_page, r->page);
	free(r);
	errno = e;
	return NULL;
}

void kt_ring_close(struct kt_ring *r)
{
	if (!r)
		return;
	munmap(r->producer_map, r->producer_len);
	munmap(r->consumer_page, r->page);
	free(r);
}

int kt_ring_fd(const struct kt_ring *r)
{
	return r->fd;
}

int kt_ring_consume(struct kt_ring *r)
{
	return kt_ring_read(&r->view, r->fn, r->ctx);
}

int kt_ring_poll(struct kt_ring *r, int timeout_ms)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) < 0)
		return -errno;
	return kt_ring_consume(r);
}

unsigned long kt_ring_pending(const struct kt_ring *r)
{
	return kt_ring_view_pending(&r->view);
}
