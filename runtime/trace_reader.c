// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading keytime trace files: a pure parser over a buffer, so it can be
 * fuzzed, with errors that name the byte offset. */
#include <stdio.h>
#include <string.h>
#include "trace_format.h"
#include "events.h"

static uint64_t aligned_record[KT_TRACE_MAX_CHUNK / sizeof(uint64_t)];

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static int parse_info(const char *text, size_t len, const struct kt_trace_callbacks *cb)
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
			if ((eq = strchr(line, '='))) {
				*eq = 0;
				if (cb->info && cb->info(cb->arg, line, eq + 1))
					return 1;
			}
		}
		start += n + 1;
	}
	return 0;
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

int kt_trace_parse(const uint8_t *buf, size_t len, const struct kt_trace_callbacks *cb,
		   char *err, size_t errlen)
{
	uint32_t version, info_len;
	size_t off;
	int r;

	if (len < 16 || memcmp(buf, KT_TRACE_MAGIC, 8)) {
		snprintf(err, errlen, "not a keytime trace (bad magic at byte offset 0)");
		return -1;
	}
	version = get_u32(buf + 8);
	if (version > KT_TRACE_VERSION) {
		snprintf(err, errlen, "format version %u is newer than this keytime-run reads (%u): "
			 "use a newer keytime-run", version, KT_TRACE_VERSION);
		return -1;
	}
	if (version == 0) {
		snprintf(err, errlen, "corrupt header at byte offset 8: version 0");
		return -1;
	}
	if (version < KT_TRACE_VERSION) {
		snprintf(err, errlen, "format version %u, from a keytime-run before events said who the "
			 "thread is (uid, cgroup, ...): record it again (this one reads version %u; "
			 "header at byte offset 8)", version, KT_TRACE_VERSION);
		return -1;
	}
	info_len = get_u32(buf + 12);
	if (info_len > KT_TRACE_MAX_INFO || 16 + (size_t)info_len > len) {
		snprintf(err, errlen, "truncated or corrupt header at byte offset 12 (info length %u)", info_len);
		return -1;
	}
	if ((r = parse_info((const char *)buf + 16, info_len, cb)))
		return r;

	for (off = 16 + info_len; off < len;) {
		uint32_t type, clen;
		const uint8_t *p;

		if (len - off < 8) {
			snprintf(err, errlen, "truncated at byte offset %zu (a chunk header needs 8 bytes, %zu left)",
				 off, len - off);
			return -1;
		}
		type = get_u32(buf + off);
		clen = get_u32(buf + off + 4);
		if (clen > KT_TRACE_MAX_CHUNK) {
			snprintf(err, errlen, "corrupt chunk at byte offset %zu (length %u)", off, clen);
			return -1;
		}
		if (len - off - 8 < clen) {
			snprintf(err, errlen, "truncated at byte offset %zu (chunk of %u bytes, %zu left)",
				 off, clen, len - off - 8);
			return -1;
		}
		p = buf + off + 8;
		switch (type) {
		case KT_CHUNK_EVENT:
			/* Records sit at any offset in the file: an aligned copy. */
			memcpy(aligned_record, p, clen);
			if (!kt_record_valid(aligned_record, clen)) {
				snprintf(err, errlen, "corrupt event at byte offset %zu", off);
				return -1;
			}
			r = cb->event ? cb->event(cb->arg, aligned_record, clen) : 0;
			break;
		case KT_CHUNK_STACK:
			r = clen < 4 ? -1 : parse_stack(p, clen, cb);
			if (r < 0) {
				snprintf(err, errlen, "corrupt stack at byte offset %zu", off);
				return -1;
			}
			break;
		case KT_CHUNK_CGROUP: {
			uint64_t id;
			if (clen < sizeof(id) + 1 || p[clen - 1] != 0) {
				snprintf(err, errlen, "corrupt cgroup at byte offset %zu", off);
				return -1;
			}
			memcpy(&id, p, sizeof(id));
			r = cb->cgroup ? cb->cgroup(cb->arg, id, (const char *)p + sizeof(id)) : 0;
			break;
		}
		case KT_CHUNK_END: {
			struct kt_trace_end end;
			if (clen != sizeof(end)) {
				snprintf(err, errlen, "corrupt end chunk at byte offset %zu", off);
				return -1;
			}
			memcpy(&end, p, sizeof(end));
			r = cb->end ? cb->end(cb->arg, &end) : 0;
			break;
		}
		default:
			snprintf(err, errlen, "corrupt chunk at byte offset %zu (unknown type %u)", off, type);
			return -1;
		}
		if (r)
			return 1;
		off += 8 + clen;
	}
	return 0;
}
