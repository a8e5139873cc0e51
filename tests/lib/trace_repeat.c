// SPDX-License-Identifier: GPL-2.0-or-later
/* trace_repeat IN OUT K LEVEL: a recording made of K copies of recording
 * IN's events one after the other, each copy's times moved past the one
 * before (its span plus 1 ms), written with zstd LEVEL (0: uncompressed).
 * A long recording from a short one, for measuring replay (its memory must
 * not grow with the file). The stacks come once, before the first copy;
 * the end chunk is IN's, at the last copy's end, lost counts K times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stddef.h>
#include "trace_format.h"

static char info[KT_TRACE_MAX_INFO + 64];
static size_t info_len;
static struct kt_trace_writer *out;
static uint64_t shift_ns, first_ns, last_ns;
static struct kt_trace_end end;
static unsigned copy;

static void die(const char *what)
{
	fprintf(stderr, "trace_repeat: %s\n", what);
	exit(1);
}

static int on_info(void *arg, const char *key, const char *value)
{
	info_len += snprintf(info + info_len, sizeof(info) - info_len, "%s=%s\n", key, value);
	if (info_len >= sizeof(info))
		die("header too long");
	return 0;
}

static void shift(uint8_t *p, size_t at, int zero_means_unknown)
{
	uint64_t v;

	memcpy(&v, p + at, sizeof(v));
	if (v || !zero_means_unknown)
		v += shift_ns;
	memcpy(p + at, &v, sizeof(v));
}

static int on_event(void *arg, const void *rec, size_t len)
{
	static uint8_t p[KT_TRACE_MAX_CHUNK];
	struct kt_header h;

	memcpy(p, rec, len);
	memcpy(&h, p, sizeof(h));
	if (!first_ns)
		first_ns = h.time;
	if (h.time > last_ns)
		last_ns = h.time;
	shift(p, offsetof(struct kt_header, time), 0);
	if (h.kind == KT_EXIT)
		shift(p, offsetof(struct kt_exit, start_time), 1);
	else if (h.kind == KT_FORK_EXIT || h.kind == KT_VFORK_EXIT || h.kind == KT_THREAD_EXIT)
		shift(p, offsetof(struct kt_child_exit, child_start_time), 1);
	if (kt_trace_write_event(out, p, len))
		die(strerror(errno));
	return 0;
}

static int on_stack(void *arg, int32_t id, const char *const *frames, int n)
{
	if (copy == 0 && kt_trace_write_stack(out, id, frames, n))
		die(strerror(errno));
	return 0;
}

static int on_end(void *arg, const struct kt_trace_end *e)
{
	if (e->end_ns > last_ns)
		last_ns = e->end_ns;
	end = *e;
	return 0;
}

/* One copy of IN's events (header_only: just its header's info lines). */
static void read_copy(const char *path, int header_only)
{
	struct kt_trace_callbacks cb = { .info = on_info, .event = on_event, .stack = on_stack, .end = on_end };
	struct kt_trace_reader *r;
	char err[256];
	FILE *f = fopen(path, "rb");

	if (!header_only)
		cb.info = NULL;
	if (!f || !(r = kt_trace_open(f, &cb, err, sizeof(err))))
		die(f ? err : strerror(errno));
	if (!header_only && kt_trace_read(r, &cb, err, sizeof(err)) < 0)
		die(err);
	kt_trace_close(r);
}

int main(int argc, char **argv)
{
	unsigned k;
	int level;
	char err[256];

	if (argc != 5) {
		fprintf(stderr, "usage: trace_repeat IN OUT K LEVEL\n");
		return 2;
	}
	k = strtoul(argv[3], NULL, 10);
	level = atoi(argv[4]);
	read_copy(argv[1], 1);
	if (!(out = kt_trace_create(argv[2], info, level, err, sizeof(err))))
		die(err);
	for (copy = 0; copy < k; copy++) {
		read_copy(argv[1], 0);
		if (copy + 1 < k)
			shift_ns += last_ns - first_ns + 1000000;
	}
	end.end_ns = last_ns + shift_ns;
	for (int i = 0; i < KT_KIND_MAX; i++)
		end.lost[i] *= k;
	if (kt_trace_finish(out, &end))
		die(strerror(errno));
	return 0;
}
