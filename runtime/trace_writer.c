// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing keytime trace files (--record): buffered stdio, one chunk per
 * event as the probes wrote it, stacks symbolized once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "trace_format.h"

#define STACK_IDS 65536   /* stack ids are below the stack map's size */

struct kt_trace_writer {
	FILE *f;
	uint8_t seen[STACK_IDS / 8];
	uint64_t *cgroups;        /* ids whose path is written: open addressing, 0 free */
	size_t ncgroups, cgroups_cap;
};

static int put_chunk_header(FILE *f, uint32_t type, uint32_t len)
{
	uint32_t h[2] = { type, len };
	return fwrite(h, sizeof(h), 1, f) == 1 ? 0 : -1;
}

struct kt_trace_writer *kt_trace_create(const char *path, const char *info, char *err, size_t errlen)
{
	struct kt_trace_writer *w = calloc(1, sizeof(*w));
	uint32_t head[2] = { KT_TRACE_VERSION, (uint32_t)strlen(info) };

	if (!w || !(w->f = fopen(path, "wb"))) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		free(w);
		return NULL;
	}
	setvbuf(w->f, NULL, _IOFBF, 1 << 20);
	if (fwrite(KT_TRACE_MAGIC, 8, 1, w->f) != 1 || fwrite(head, sizeof(head), 1, w->f) != 1 ||
	    fwrite(info, 1, head[1], w->f) != head[1]) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		fclose(w->f);
		free(w);
		return NULL;
	}
	return w;
}

int kt_trace_write_event(struct kt_trace_writer *w, const void *rec, size_t size)
{
	if (put_chunk_header(w->f, KT_CHUNK_EVENT, (uint32_t)size))
		return -1;
	return fwrite(rec, 1, size, w->f) == size ? 0 : -1;
}

int kt_trace_stack_seen(struct kt_trace_writer *w, int32_t id)
{
	int seen;

	if (id < 0 || id >= STACK_IDS)
		return 1;
	seen = w->seen[id / 8] & (1 << (id % 8));
	w->seen[id / 8] |= 1 << (id % 8);
	return seen != 0;
}

static uint64_t *cgroup_slot(uint64_t *set, size_t cap, uint64_t id)
{
	size_t i = (id * 0x9e3779b97f4a7c15ULL) & (cap - 1);

	while (set[i] && set[i] != id)
		i = (i + 1) & (cap - 1);
	return &set[i];
}

int kt_trace_cgroup_seen(struct kt_trace_writer *w, uint64_t id)
{
	uint64_t *slot;

	if (!id)
		return 1;
	if ((w->ncgroups + 1) * 2 > w->cgroups_cap) {
		size_t cap = w->cgroups_cap ? w->cgroups_cap * 2 : 64;
		uint64_t *set = calloc(cap, sizeof(*set));

		if (!set)
			return 1;
		for (size_t i = 0; i < w->cgroups_cap; i++)
			if (w->cgroups[i])
				*cgroup_slot(set, cap, w->cgroups[i]) = w->cgroups[i];
		free(w->cgroups);
		w->cgroups = set, w->cgroups_cap = cap;
	}
	slot = cgroup_slot(w->cgroups, w->cgroups_cap, id);
	if (*slot)
		return 1;
	*slot = id;
	w->ncgroups++;
	return 0;
}

int kt_trace_write_cgroup(struct kt_trace_writer *w, uint64_t id, const char *path)
{
	size_t n = strlen(path) + 1;

	if (put_chunk_header(w->f, KT_CHUNK_CGROUP, (uint32_t)(sizeof(id) + n)) ||
	    fwrite(&id, sizeof(id), 1, w->f) != 1 || fwrite(path, 1, n, w->f) != n)
		return -1;
	return 0;
}

int kt_trace_write_stack(struct kt_trace_writer *w, int32_t id, const char *const *frames, int n)
{
	uint32_t len = sizeof(id);

	for (int i = 0; i < n; i++)
		len += strlen(frames[i]) + 1;
	if (put_chunk_header(w->f, KT_CHUNK_STACK, len) || fwrite(&id, sizeof(id), 1, w->f) != 1)
		return -1;
	for (int i = 0; i < n; i++)
		if (fwrite(frames[i], 1, strlen(frames[i]) + 1, w->f) != strlen(frames[i]) + 1)
			return -1;
	return 0;
}

int kt_trace_finish(struct kt_trace_writer *w, const struct kt_trace_end *end)
{
	int r = 0;

	if (put_chunk_header(w->f, KT_CHUNK_END, sizeof(*end)) || fwrite(end, sizeof(*end), 1, w->f) != 1)
		r = -1;
	if (fclose(w->f))
		r = -1;
	free(w->cgroups);
	free(w);
	return r;
}
