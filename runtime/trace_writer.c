// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing keytime trace files (--record), version 2: buffered stdio, one
 * chunk per event (exec records trimmed: trace_compact.c), stacks
 * symbolized once, all after the header optionally one zstd stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <zstd.h>
#include "trace_format.h"

#define STACK_IDS 65536   /* stack ids are below the stack map's size */

struct kt_trace_writer {
	FILE *f;
	uint64_t size;          /* bytes handed to f */
	ZSTD_CCtx *zc;          /* NULL: uncompressed */
	uint8_t *zout;
	size_t zout_cap;
	uint8_t seen[STACK_IDS / 8];
	uint8_t trimmed[sizeof(struct kt_exec) + sizeof(struct kt_exec_enter)];
	uint64_t *cgroups;        /* ids whose path is written: open addressing, 0 free */
	size_t ncgroups, cgroups_cap;
};

static int put_raw(struct kt_trace_writer *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->f) != n)
		return -1;
	w->size += n;
	return 0;
}

/* Feeds n bytes to the compressor (or the file), with mode's ending. */
static int put_z(struct kt_trace_writer *w, const void *p, size_t n, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { p, n, 0 };
	size_t left;

	do {
		ZSTD_outBuffer out = { w->zout, w->zout_cap, 0 };
		left = ZSTD_compressStream2(w->zc, &out, &in, mode);
		if (ZSTD_isError(left)) {
			errno = EIO;
			return -1;
		}
		if (put_raw(w, w->zout, out.pos))
			return -1;
	} while (mode == ZSTD_e_continue ? in.pos < in.size : left != 0);
	return 0;
}

static int put(struct kt_trace_writer *w, const void *p, size_t n)
{
	return w->zc ? put_z(w, p, n, ZSTD_e_continue) : put_raw(w, p, n);
}

static int put_chunk_header(struct kt_trace_writer *w, uint32_t type, uint32_t len)
{
	uint32_t h[2] = { type, len };
	return put(w, h, sizeof(h));
}

static void destroy(struct kt_trace_writer *w)
{
	if (w->f)
		fclose(w->f);
	ZSTD_freeCCtx(w->zc);
	free(w->zout);
	free(w->cgroups);
	free(w);
}

struct kt_trace_writer *kt_trace_create(const char *path, const char *info, int zstd_level,
					char *err, size_t errlen)
{
	struct kt_trace_writer *w = calloc(1, sizeof(*w));
	uint32_t head[2] = { KT_TRACE_VERSION, (uint32_t)strlen(info) };
	uint32_t compression = zstd_level ? KT_COMPRESS_ZSTD : KT_COMPRESS_NONE;

	if (!w || !(w->f = fopen(path, "wbe"))) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		free(w);
		return NULL;
	}
	setvbuf(w->f, NULL, _IOFBF, 1 << 20);
	if (zstd_level) {
		w->zout_cap = ZSTD_CStreamOutSize();
		if (!(w->zc = ZSTD_createCCtx()) || !(w->zout = malloc(w->zout_cap)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, zstd_level))) {
			snprintf(err, errlen, "cannot start zstd compression (level %d)", zstd_level);
			destroy(w);
			return NULL;
		}
	}
	if (put_raw(w, KT_TRACE_MAGIC, 8) || put_raw(w, head, sizeof(head)) ||
	    put_raw(w, info, head[1]) || put_raw(w, &compression, sizeof(compression))) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		destroy(w);
		return NULL;
	}
	return w;
}

int kt_trace_write_event(struct kt_trace_writer *w, const void *rec, size_t size)
{
	const void *p = rec;

	if (size <= sizeof(w->trimmed)) {
		size = kt_trace_trim(rec, size, w->trimmed);
		p = w->trimmed;
	}
	if (put_chunk_header(w, KT_CHUNK_EVENT, (uint32_t)size))
		return -1;
	return put(w, p, size);
}

int kt_trace_stack_seen(struct kt_trace_writer *w, int32_t id)
{
	int seen;

	if (id & KT_TRACE_USTACK)   /* user stacks' ids: the second half */
		id = (id & ~KT_TRACE_USTACK) + STACK_IDS / 2;

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

	if (put_chunk_header(w, KT_CHUNK_CGROUP, (uint32_t)(sizeof(id) + n)) ||
	    put(w, &id, sizeof(id)) || put(w, path, n))
		return -1;
	return 0;
}

int kt_trace_write_stack(struct kt_trace_writer *w, int32_t id, const char *const *frames, int n)
{
	uint32_t len = sizeof(id);

	for (int i = 0; i < n; i++)
		len += strlen(frames[i]) + 1;
	if (put_chunk_header(w, KT_CHUNK_STACK, len) || put(w, &id, sizeof(id)))
		return -1;
	for (int i = 0; i < n; i++)
		if (put(w, frames[i], strlen(frames[i]) + 1))
			return -1;
	return 0;
}

int kt_trace_flush(struct kt_trace_writer *w)
{
	if (w->zc && put_z(w, NULL, 0, ZSTD_e_flush))
		return -1;
	return fflush(w->f) ? -1 : 0;
}

uint64_t kt_trace_size(const struct kt_trace_writer *w)
{
	return w->size;
}

int kt_trace_finish(struct kt_trace_writer *w, const struct kt_trace_end *end)
{
	int r = 0;

	if (put_chunk_header(w, KT_CHUNK_END, sizeof(*end)) || put(w, end, sizeof(*end)))
		r = -1;
	if (w->zc && put_z(w, NULL, 0, ZSTD_e_end))
		r = -1;
	if (fclose(w->f))
		r = -1;
	w->f = NULL;
	destroy(w);
	return r;
}
