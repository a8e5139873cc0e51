// SPDX-License-Identifier: GPL-2.0-or-later
/* trace_shift IN OUT NS: a copy of keytime recording IN (--record) whose
 * CLOCK_MONOTONIC is NS nanoseconds later, as if it was recorded on a machine
 * up that much longer: every time moves by NS, everything else stays
 * byte-for-byte.
 *
 *   header: start_ns and script_start_ns + NS; mono_to_real_ns - NS, so the
 *           wall-clock times (kt.strftime) stay what they were
 *   events: hdr.time; kt_exit.start_time and kt_child_exit.child_start_time
 *           (0, "unknown", stays 0); kt_switch.runtime is a duration: kept
 *   end:    end_ns
 *
 * Exits 0, or 1 with a message on a file it does not understand. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stddef.h>
#include "trace_format.h"

static const char *prog = "trace_shift";

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Adds ns to the u64 at p (unless it is 0 and zero_means_unknown). */
static void shift_u64(uint8_t *p, uint64_t ns, int zero_means_unknown)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	if (zero_means_unknown && v == 0)
		return;
	v += ns;
	memcpy(p, &v, sizeof(v));
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			if (!(buf = realloc(buf, cap)))
				return NULL;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* The info lines, with the clock's keys moved. Returns a malloc'd string. */
static char *shift_info(const char *text, size_t len, uint64_t ns)
{
	size_t cap = len + 256, n = 0, start = 0;
	char *out = malloc(cap);

	if (!out)
		die("%s", "out of memory");
	while (start < len) {
		const char *line = text + start;
		const char *nl = memchr(line, '\n', len - start);
		size_t l = nl ? (size_t)(nl - line) : len - start;
		char num[32];
		const char *key = NULL;
		int w = -1;

		if (l > 9 && !memcmp(line, "start_ns=", 9))
			key = "start_ns", w = snprintf(num, sizeof(num), "%llu", strtoull(line + 9, NULL, 10) + (unsigned long long)ns);
		else if (l > 16 && !memcmp(line, "script_start_ns=", 16))
			key = "script_start_ns", w = snprintf(num, sizeof(num), "%llu", strtoull(line + 16, NULL, 10) + (unsigned long long)ns);
		else if (l > 16 && !memcmp(line, "mono_to_real_ns=", 16))
			key = "mono_to_real_ns", w = snprintf(num, sizeof(num), "%lld",
							       strtoll(line + 16, NULL, 10) - (long long)ns);
		if (n + l + 64 > cap && !(out = realloc(out, cap = 2 * cap + l + 64)))
			die("%s", "out of memory");
		if (key)
			n += (size_t)sprintf(out + n, "%s=%.*s", key, w, num);
		else {
			memcpy(out + n, line, l);
			n += l;
		}
		if (nl)
			out[n++] = '\n';
		start += l + (nl ? 1 : 0);
	}
	out[n] = 0;
	return out;
}

static void shift_event(uint8_t *p, uint32_t len, uint64_t ns, size_t off)
{
	struct kt_header h;

	if (len < sizeof(h))
		die("short event at byte offset %zu", off);
	memcpy(&h, p, sizeof(h));
	shift_u64(p + offsetof(struct kt_header, time), ns, 0);
	switch (h.kind) {
	case KT_EXIT:
		if (len < sizeof(struct kt_exit))
			die("short exit event at byte offset %zu", off);
		shift_u64(p + offsetof(struct kt_exit, start_time), ns, 1);
		break;
	case KT_FORK_EXIT: case KT_VFORK_EXIT: case KT_THREAD_EXIT:
		if (len < sizeof(struct kt_child_exit))
			die("short child-exit event at byte offset %zu", off);
		shift_u64(p + offsetof(struct kt_child_exit, child_start_time), ns, 1);
		break;
	case KT_EXEC_ENTER: case KT_EXEC_EXIT: case KT_FORK: case KT_VFORK: case KT_THREAD:
	case KT_ONCPU: case KT_OFFCPU: case KT_EXEC:
		break;   /* no other time (a switch's runtime is a duration) */
	default:
		die("unknown event kind %u at byte offset %zu", h.kind, off);
	}
}

int main(int argc, char **argv)
{
	uint8_t *buf;
	size_t len, off;
	uint32_t info_len;
	uint64_t ns;
	char *end, *info;
	FILE *out;

	if (argc != 4) {
		fprintf(stderr, "usage: %s IN OUT NS\n", prog);
		return 2;
	}
	errno = 0;
	ns = strtoull(argv[3], &end, 10);
	if (errno || *end || end == argv[3])
		die("%s: not a number of ns", argv[3]);
	if (!(buf = read_all(argv[1], &len)))
		die("cannot read %s", argv[1]);
	if (len < 16 || memcmp(buf, KT_TRACE_MAGIC, 8) || get_u32(buf + 8) != KT_TRACE_VERSION)
		die("%s: not a keytime trace of version 1", argv[1]);
	info_len = get_u32(buf + 12);
	if (16 + (size_t)info_len > len)
		die("%s: truncated header", argv[1]);

	info = shift_info((const char *)buf + 16, info_len, ns);
	for (off = 16 + info_len; off < len;) {
		uint32_t type, clen;

		if (len - off < 8)
			die("%s: truncated at byte offset %zu", argv[1], off);
		type = get_u32(buf + off);
		clen = get_u32(buf + off + 4);
		if (len - off - 8 < clen)
			die("%s: truncated at byte offset %zu", argv[1], off);
		if (type == KT_CHUNK_EVENT)
			shift_event(buf + off + 8, clen, ns, off);
		else if (type == KT_CHUNK_END) {
			if (clen != sizeof(struct kt_trace_end))
				die("%s: bad end chunk at byte offset %zu", argv[1], off);
			shift_u64(buf + off + 8 + offsetof(struct kt_trace_end, end_ns), ns, 0);
		} else if (type != KT_CHUNK_STACK && type != KT_CHUNK_CGROUP)
			die("%s: unknown chunk at byte offset %zu", argv[1], off);
		off += 8 + clen;
	}

	if (!(out = fopen(argv[2], "wb")))
		die("cannot write %s", argv[2]);
	uint8_t head[16];
	memcpy(head, buf, 16);
	put_u32(head + 12, (uint32_t)strlen(info));
	if (fwrite(head, 1, 16, out) != 16 || fwrite(info, 1, strlen(info), out) != strlen(info) ||
	    fwrite(buf + 16 + info_len, 1, len - 16 - info_len, out) != len - 16 - info_len || fclose(out))
		die("cannot write %s", argv[2]);
	free(info);
	free(buf);
	return 0;
}
