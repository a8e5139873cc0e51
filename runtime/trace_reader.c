// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading keytime trace files, versions 1 to 4, as a stream: one chunk
 * in memory at a time, zstd decompressed as it goes, so a recording of
 * any length replays in the same memory. Errors name the byte offset (in
 * the uncompressed data: the file's own offset when it is not compressed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <zstd.h>
#include "trace_format.h"
#include "events.h"

struct kt_trace_reader {
	FILE *f;
	unsigned version;
	enum kt_trace_compression compression;
	uint64_t off;            /* bytes of uncompressed data read */
	ZSTD_DCtx *zd;
	uint8_t *zin, *zout;
	ZSTD_inBuffer in;
	size_t zin_cap, zout_cap, zout_len, zout_pos;
	size_t frame_left;       /* ZSTD_decompressStream's last answer: 0 at a frame's end */
	const char *zerr;        /* a decompression error */
	bool ended;              /* the end chunk was read */
	uint8_t *chunk;          /* KT_TRACE_MAX_CHUNK bytes */
	uint64_t *record;        /* the event rebuilt, aligned */
};

/* Up to n bytes of the data after the header; fewer at its end or on an
 * error (zerr). */
static size_t get(struct kt_trace_reader *r, void *dst, size_t n)
{
	uint8_t *d = dst;
	size_t got = 0;

	if (r->compression == KT_COMPRESS_NONE) {
		got = n ? fread(dst, 1, n, r->f) : 0;
		r->off += got;
		return got;
	}
	while (got < n && !r->zerr) {
		if (r->zout_pos < r->zout_len) {
			size_t k = r->zout_len - r->zout_pos;
			if (k > n - got)
				k = n - got;
			memcpy(d + got, r->zout + r->zout_pos, k);
			r->zout_pos += k;
			got += k;
			continue;
		}
		if (r->in.pos == r->in.size) {
			r->in.size = fread(r->zin, 1, r->zin_cap, r->f);
			r->in.pos = 0;
			if (!r->in.size)
				break;
		}
		ZSTD_outBuffer out = { r->zout, r->zout_cap, 0 };
		size_t ret = ZSTD_decompressStream(r->zd, &out, &r->in);
		if (ZSTD_isError(ret)) {
			r->zerr = ZSTD_getErrorName(ret);
			break;
		}
		r->frame_left = ret;
		r->zout_len = out.pos;
		r->zout_pos = 0;
	}
	r->off += got;
	return got;
}

static void parse_info(const char *text, size_t len, const struct kt_trace_callbacks *cb)
{
	char line[1024];
	size_t start = 0;

	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t n = nl ? (size_t)(nl - (text + start)) : len - start;
		char *eq;

		if (n < sizeof(line)) {
			memcpy(line, text + start, n);
			line[n] = 0;
			if ((eq = strchr(line, '=')) && cb->info) {
				*eq = 0;
				cb->info(cb->arg, line, eq + 1);
			}
		}
		start += n + 1;
	}
}

static int parse_stack(const uint8_t *p, uint32_t len, const struct kt_trace_callbacks *cb)
{
	const char *frames[KT_STACK_DEPTH];
	int32_t id;
	uint32_t off = 4;
	int n = 0;

	memcpy(&id, p, sizeof(id));
	while (off < len) {
		const char *s = (const char *)p + off;
		const char *nul = memchr(s, 0, len - off);
		if (!nul || n == KT_STACK_DEPTH)
			return -1;
		frames[n++] = s;
		off += (uint32_t)(nul - s) + 1;
	}
	return cb->stack ? cb->stack(cb->arg, id, frames, n) : 0;
}

/* A record (trimmed or whole) from before version 4, whose header ended at
 * comm, in place: the identity fields inserted after it, unknown. Its new
 * size; 0 if it is too short or there is no room. */
#define KT_PRE4_HEADER offsetof(struct kt_header, cgroup_id)
static size_t upgrade_pre4_record(uint8_t *rec, size_t size, size_t cap)
{
	const size_t extra = sizeof(struct kt_header) - KT_PRE4_HEADER;
	struct kt_header *h = (struct kt_header *)rec;

	if (size < KT_PRE4_HEADER || size + extra > cap)
		return 0;
	memmove(rec + sizeof(*h), rec + KT_PRE4_HEADER, size - KT_PRE4_HEADER);
	h->cgroup_id = 0;
	h->uid = h->gid = (uint32_t)-1;
	h->nspid = h->pid;
	h->nstgid = h->tgid;
	h->pidns = 0;
	h->ident_reserved = 0;
	return size + extra;
}

/* An onCPU/offCPU record from before version 3, as the current one: its
 * run-queue fields unknown. Its new size. */
static size_t upgrade_pre3_record(void *rec, size_t size)
{
	struct kt_switch *sw = rec;

	if (size != offsetof(struct kt_switch, runq_latency) ||
	    (sw->hdr.kind != KT_ONCPU && sw->hdr.kind != KT_OFFCPU))
		return size;
	sw->runq_latency = KT_RUNQ_UNKNOWN;
	sw->waker_pid = -1;
	sw->ustack = KT_USTACK_NOT_ASKED;
	return sizeof(*sw);
}

void kt_trace_close(struct kt_trace_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	ZSTD_freeDCtx(r->zd);
	free(r->zin);
	free(r->zout);
	free(r->chunk);
	free(r->record);
	free(r);
}

struct kt_trace_reader *kt_trace_open(FILE *f, const struct kt_trace_callbacks *cb,
				      char *err, size_t errlen)
{
	struct kt_trace_reader *r = calloc(1, sizeof(*r));
	uint8_t head[16];
	uint32_t info_len, compression;

	if (!r || !(r->chunk = malloc(KT_TRACE_MAX_CHUNK)) ||
	    !(r->record = malloc(KT_TRACE_MAX_CHUNK))) {
		snprintf(err, errlen, "out of memory");
		free(r ? r->chunk : NULL);
		free(r);
		fclose(f);
		return NULL;
	}
	r->f = f;
	if (get(r, head, 16) < 16 || memcmp(head, KT_TRACE_MAGIC, 8)) {
		snprintf(err, errlen, "not a keytime trace (bad magic at byte offset 0)");
		goto fail;
	}
	memcpy(&r->version, head + 8, 4);
	memcpy(&info_len, head + 12, 4);
	if (r->version > KT_TRACE_VERSION) {
		snprintf(err, errlen, "format version %u is newer than this keytime-run reads (%u): "
			 "use a newer keytime-run", r->version, KT_TRACE_VERSION);
		goto fail;
	}
	if (r->version == 0) {
		snprintf(err, errlen, "corrupt header at byte offset 8: version 0");
		goto fail;
	}
	if (info_len > KT_TRACE_MAX_INFO || get(r, r->chunk, info_len) < info_len) {
		snprintf(err, errlen, "truncated or corrupt header at byte offset 12 (info length %u)", info_len);
		goto fail;
	}
	if (r->version >= 2) {
		if (get(r, &compression, 4) < 4) {
			snprintf(err, errlen, "truncated header at byte offset %u (no compression field)",
				 16 + info_len);
			goto fail;
		}
		if (compression > KT_COMPRESS_ZSTD) {
			snprintf(err, errlen, "corrupt header at byte offset %u (unknown compression %u)",
				 16 + info_len, compression);
			goto fail;
		}
		r->compression = compression;
	}
	if (r->compression == KT_COMPRESS_ZSTD) {
		r->zin_cap = ZSTD_DStreamInSize();
		r->zout_cap = ZSTD_DStreamOutSize();
		if (!(r->zd = ZSTD_createDCtx()) || !(r->zin = malloc(r->zin_cap)) ||
		    !(r->zout = malloc(r->zout_cap))) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		r->in = (ZSTD_inBuffer){ r->zin, 0, 0 };
	}
	parse_info((const char *)r->chunk, info_len, cb);
	return r;
fail:
	kt_trace_close(r);
	return NULL;
}

unsigned kt_trace_version(const struct kt_trace_reader *r)
{
	return r->version;
}

enum kt_trace_compression kt_trace_compression(const struct kt_trace_reader *r)
{
	return r->compression;
}

/* Why fewer bytes came than a part needs: the data ended, or did not decompress. */
static void short_read(struct kt_trace_reader *r, uint64_t at, const char *what, size_t want,
		       size_t got, char *err, size_t errlen)
{
	if (r->zerr)
		snprintf(err, errlen, "corrupt compressed data after byte offset %llu (zstd: %s)",
			 (unsigned long long)(r->off), r->zerr);
	else
		snprintf(err, errlen, "truncated at byte offset %llu (%s needs %zu bytes, %zu left%s)",
			 (unsigned long long)at, what, want, got,
			 r->compression ? " in the compressed stream" : "");
}

int kt_trace_read(struct kt_trace_reader *r, const struct kt_trace_callbacks *cb,
		  char *err, size_t errlen)
{
	for (;;) {
		uint64_t off = r->off;
		uint32_t h[2], type, clen;
		size_t got;
		int res;

		if ((got = get(r, h, 8)) == 0 && !r->zerr) {
			if (ferror(r->f))
				snprintf(err, errlen, "read error at byte offset %llu", (unsigned long long)off);
			else if (r->compression && r->frame_left)
				snprintf(err, errlen, "truncated at byte offset %llu (the compressed stream "
					 "stops before its end: was the recording killed?)", (unsigned long long)off);
			else if (!r->ended)
				snprintf(err, errlen, "truncated at byte offset %llu (no end chunk: "
					 "was the recording killed?)", (unsigned long long)off);
			else
				return 0;
			return -1;
		}
		if (got < 8) {
			short_read(r, off, "a chunk header", 8, got, err, errlen);
			return -1;
		}
		type = h[0];
		clen = h[1];
		if (clen > KT_TRACE_MAX_CHUNK) {
			snprintf(err, errlen, "corrupt chunk at byte offset %llu (length %u)",
				 (unsigned long long)off, clen);
			return -1;
		}
		if (type < KT_CHUNK_EVENT || type > KT_CHUNK_CGROUP) {
			snprintf(err, errlen, "corrupt chunk at byte offset %llu (unknown type %u)",
				 (unsigned long long)off, type);
			return -1;
		}
		if ((got = get(r, r->chunk, clen)) < clen) {
			char what[32];
			snprintf(what, sizeof(what), "a chunk of %u bytes", clen);
			short_read(r, off, what, clen, got, err, errlen);
			return -1;
		}
		switch (type) {
		case KT_CHUNK_EVENT: {
			size_t size = clen;
			if (r->version < 4 &&
			    !(size = clen = upgrade_pre4_record(r->chunk, clen, KT_TRACE_MAX_CHUNK))) {
				snprintf(err, errlen, "corrupt event at byte offset %llu", (unsigned long long)off);
				return -1;
			}
			if (r->version >= 2)
				size = kt_trace_untrim(r->chunk, clen, r->record, KT_TRACE_MAX_CHUNK);
			else
				memcpy(r->record, r->chunk, clen);   /* aligned */
			if (r->version < 3)
				size = upgrade_pre3_record(r->record, size);
			if (!size || !kt_record_valid(r->record, size)) {
				snprintf(err, errlen, "corrupt event at byte offset %llu", (unsigned long long)off);
				return -1;
			}
			res = cb->event ? cb->event(cb->arg, r->record, size) : 0;
			break;
		}
		case KT_CHUNK_STACK:
			res = clen < 4 ? -1 : parse_stack(r->chunk, clen, cb);
			if (res < 0) {
				snprintf(err, errlen, "corrupt stack at byte offset %llu", (unsigned long long)off);
				return -1;
			}
			break;
		case KT_CHUNK_CGROUP: {
			uint64_t id;
			if (clen < sizeof(id) + 1 || r->chunk[clen - 1] != 0) {
				snprintf(err, errlen, "corrupt cgroup at byte offset %llu", (unsigned long long)off);
				return -1;
			}
			memcpy(&id, r->chunk, sizeof(id));
			res = cb->cgroup ? cb->cgroup(cb->arg, id, (const char *)r->chunk + sizeof(id)) : 0;
			break;
		}
		default: {   /* KT_CHUNK_END */
			struct kt_trace_end end = { 0 };
			/* before version 3: fewer kinds counted */
			size_t want = r->version < 3 && clen < sizeof(end) && clen % 8 == 0 && clen >= 8 ?
				      clen : sizeof(end);
			if (clen != want) {
				snprintf(err, errlen, "corrupt end chunk at byte offset %llu", (unsigned long long)off);
				return -1;
			}
			memcpy(&end, r->chunk, clen);
			r->ended = true;
			res = cb->end ? cb->end(cb->arg, &end) : 0;
			break;
		}
		}
		if (res)
			return 1;
	}
}

int kt_trace_parse(const uint8_t *buf, size_t len, const struct kt_trace_callbacks *cb,
		   char *err, size_t errlen)
{
	struct kt_trace_reader *r;
	FILE *f;
	int res;

	if (!len) {
		snprintf(err, errlen, "not a keytime trace (bad magic at byte offset 0)");
		return -1;
	}
	if (!(f = fmemopen((void *)buf, len, "rb"))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!(r = kt_trace_open(f, cb, err, errlen)))
		return -1;
	res = kt_trace_read(r, cb, err, errlen);
	kt_trace_close(r);
	return res;
}
