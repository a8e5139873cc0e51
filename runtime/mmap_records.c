// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel's own records of executable mappings as they are made and of
 * each exec (mmap_records.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <bpf/libbpf.h>
#include "grow.h"
#include "mmap_records.h"

#define RING_PAGES 16          /* data pages a CPU (64 KiB: about 500 records) */
#define TRAILER 16             /* sample_id_all: pid, tid, time after each record */

struct ring {
	int fd;
	struct perf_event_mmap_page *page;
	unsigned char *data;
	size_t size;
};

struct timed_note {
	uint64_t time;
	size_t order;              /* as read: a CPU's own records keep theirs */
	struct kt_umap_note note;
};

struct kt_mmap_records {
	struct ring *rings;
	int nrings;
	uint64_t lost;
	struct timed_note *batch;
	size_t nbatch, cap;
};

static int open_cpu(int cpu)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(a),
		.config = PERF_COUNT_SW_DUMMY,
		.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME,
		.mmap = 1,             /* executable mappings only (no mmap_data) */
		.mmap2 = 1,            /* with the file's device and inode */
		.comm = 1,
		.comm_exec = 1,        /* an exec's comm record says so */
		.sample_id_all = 1,    /* the time, to merge the CPUs' records */
		.use_clockid = 1,
		.clockid = CLOCK_MONOTONIC,
	};

	return (int)syscall(__NR_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

struct kt_mmap_records *kt_mmap_records_open(char *err, size_t errlen)
{
	struct kt_mmap_records *r = calloc(1, sizeof(*r));
	int ncpus = libbpf_num_possible_cpus(), first_errno = 0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (!r || ncpus <= 0 || !(r->rings = calloc((size_t)ncpus, sizeof(*r->rings)))) {
		snprintf(err, errlen, "out of memory");
		free(r);
		return NULL;
	}
	for (int cpu = 0; cpu < ncpus; cpu++) {
		struct ring *g = &r->rings[r->nrings];
		void *at;

		if ((g->fd = open_cpu(cpu)) < 0) {
			if (errno != ENODEV && !first_errno)   /* ENODEV: a CPU not online */
				first_errno = errno;
			continue;
		}
		at = mmap(NULL, (1 + RING_PAGES) * page, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
		if (at == MAP_FAILED) {
			if (!first_errno)
				first_errno = errno;
			close(g->fd);
			continue;
		}
		g->page = at;
		g->data = (unsigned char *)at + page;
		g->size = RING_PAGES * page;
		r->nrings++;
	}
	if (!r->nrings || first_errno) {
		snprintf(err, errlen, "perf_event_open: %s", strerror(first_errno ? first_errno : ENODEV));
		kt_mmap_records_close(r);
		return NULL;
	}
	return r;
}

void kt_mmap_records_close(struct kt_mmap_records *r)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (!r)
		return;
	for (int i = 0; i < r->nrings; i++) {
		munmap(r->rings[i].page, (1 + RING_PAGES) * page);
		close(r->rings[i].fd);
	}
	free(r->rings);
	free(r->batch);
	free(r);
}

/* len bytes of the ring from offset at, across its end. */
static void copy_out(const struct ring *g, uint64_t at, void *to, size_t len)
{
	size_t from = at % g->size, first = len < g->size - from ? len : g->size - from;

	memcpy(to, g->data + from, first);
	memcpy((unsigned char *)to + first, g->data, len - first);
}

static struct timed_note *next_note(struct kt_mmap_records *r)
{
	if (r->nbatch == r->cap && kt_grow(&r->batch, &r->cap, sizeof(*r->batch), 64))
		return NULL;
	memset(&r->batch[r->nbatch], 0, sizeof(*r->batch));
	r->batch[r->nbatch].order = r->nbatch;
	return &r->batch[r->nbatch++];
}

/* One record: a note kept in the batch, or the count of those lost. */
static void take(struct kt_mmap_records *r, const unsigned char *rec, size_t size)
{
	const struct perf_event_header *h = (const void *)rec;
	struct timed_note *t;
	uint64_t time;

	if (h->type == PERF_RECORD_LOST && size >= sizeof(*h) + 16) {
		uint64_t n;
		memcpy(&n, rec + sizeof(*h) + 8, sizeof(n));
		r->lost += n;
		return;
	}
	if (size < sizeof(*h) + 8 + TRAILER)
		return;
	memcpy(&time, rec + size - 8, sizeof(time));
	if (h->type == PERF_RECORD_COMM && (h->misc & PERF_RECORD_MISC_COMM_EXEC)) {
		if ((t = next_note(r))) {
			memcpy(&t->note.tgid, rec + sizeof(*h), sizeof(t->note.tgid));
			t->note.exec = true;
			t->time = time;
		}
		return;
	}
	if (h->type == PERF_RECORD_MMAP2 && !(h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID)) {
		struct {
			uint32_t pid, tid;
			uint64_t addr, len, pgoff;
			uint32_t maj, min;
			uint64_t ino, ino_generation;
			uint32_t prot, flags;
		} m;
		const char *name = (const char *)rec + sizeof(*h) + sizeof(m);
		size_t room = size - sizeof(*h) - sizeof(m) - TRAILER;

		if (size < sizeof(*h) + sizeof(m) + TRAILER)
			return;
		memcpy(&m, rec + sizeof(*h), sizeof(m));
		if (!(m.prot & PROT_EXEC) || !m.ino || !memchr(name, 0, room) || name[0] != '/')
			return;   /* not a file's code */
		if (!(t = next_note(r)))
			return;
		t->time = time;
		t->note = (struct kt_umap_note){ m.pid, false, m.addr, m.addr + m.len, m.pgoff,
						  makedev(m.maj, m.min), m.ino, strdup(name) };
		if (!t->note.path)
			r->nbatch--;
	}
}

static int by_time(const void *a, const void *b)
{
	const struct timed_note *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void kt_mmap_records_drain(struct kt_mmap_records *r, struct kt_umaps *m)
{
	unsigned char rec[sizeof(struct perf_event_header) + 4096 + 256];

	if (!r)
		return;
	r->nbatch = 0;
	for (int i = 0; i < r->nrings; i++) {
		struct ring *g = &r->rings[i];
		uint64_t head = __atomic_load_n(&g->page->data_head, __ATOMIC_ACQUIRE), tail = g->page->data_tail;

		while (tail < head) {
			struct perf_event_header h;

			copy_out(g, tail, &h, sizeof(h));
			if (h.size < sizeof(h))
				break;   /* cannot be: a ring's records are whole */
			if (h.size <= sizeof(rec)) {
				copy_out(g, tail, rec, h.size);
				take(r, rec, h.size);
			}
			tail += h.size;
		}
		__atomic_store_n(&g->page->data_tail, tail, __ATOMIC_RELEASE);
	}
	if (!r->nbatch)
		return;
	qsort(r->batch, r->nbatch, sizeof(*r->batch), by_time);
	for (size_t i = 0; i < r->nbatch; i++)
		kt_umaps_note(m, &r->batch[i].note);   /* takes the path */
	r->nbatch = 0;
}

uint64_t kt_mmap_records_lost(const struct kt_mmap_records *r)
{
	return r ? r->lost : 0;
}
