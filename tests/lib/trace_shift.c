// SPDX-License-Identifier: GPL-2.0-or-later
/* trace_shift IN OUT NS: a copy of keytime recording IN (--record) whose
 * CLOCK_MONOTONIC is NS nanoseconds later, as if it was recorded on a machine
 * up that much longer: every time moves by NS, everything else stays as it
 * was (OUT is written in the current format, compressed if IN was).
 *
 *   header: start_ns and script_start_ns + NS; mono_to_real_ns - NS, so the
 *           wall-clock times (kt.strftime) stay what they were
 *   events: hdr.time; kt_exit.start_time and kt_child_exit.child_start_time
 *           (0, "unknown", stays 0); kt_switch.runtime and runq_latency are
 *           durations: kept
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
static uint64_t shift_ns;
static char info[KT_TRACE_MAX_INFO + 1024];
static size_t info_len;
static struct kt_trace_writer *out;

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

/* The info lines, in their order, with the clock's keys moved. */
static int on_info(void *arg, const char *key, const char *value)
{
	const char *fmt = "%s=%s\n";
	char num[32];

	if (!strcmp(key, "start_ns") || !strcmp(key, "script_start_ns"))
		snprintf(num, sizeof(num), "%llu", strtoull(value, NULL, 10) + (unsigned long long)shift_ns);
	else if (!strcmp(key, "mono_to_real_ns"))
		snprintf(num, sizeof(num), "%lld", strtoll(value, NULL, 10) - (long long)shift_ns);
	else
		snprintf(num, sizeof(num), "%s", "");
	info_len += snprintf(info + info_len, sizeof(info) - info_len, fmt, key, *num ? num : value);
	if (info_len >= sizeof(info))
		die("%s", "header too long");
	return 0;
}

static int on_event(void *arg, const void *rec, size_t len)
{
	static uint8_t p[KT_TRACE_MAX_CHUNK];
	struct kt_header h;

	memcpy(p, rec, len);
	memcpy(&h, p, sizeof(h));
	shift_u64(p + offsetof(struct kt_header, time), shift_ns, 0);
	switch (h.kind) {
	case KT_EXIT:
		shift_u64(p + offsetof(struct kt_exit, start_time), shift_ns, 1);
		break;
	case KT_FORK_EXIT: case KT_VFORK_EXIT: case KT_THREAD_EXIT:
		shift_u64(p + offsetof(struct kt_child_exit, child_start_time), shift_ns, 1);
		break;
	case KT_EXEC_ENTER: case KT_EXEC_EXIT: case KT_FORK: case KT_VFORK: case KT_THREAD:
	case KT_ONCPU: case KT_OFFCPU: case KT_EXEC: case KT_WAKEUP:
		break;   /* no other time (a switch's runtime and runq_latency are durations) */
	default:
		die("unknown event kind %u", h.kind);
	}
	if (kt_trace_write_event(out, p, len))
		die("cannot write: %s", strerror(errno));
	return 0;
}

static int on_stack(void *arg, int32_t id, const char *const *frames, int n)
{
	if (kt_trace_write_stack(out, id, frames, n))
		die("cannot write: %s", strerror(errno));
	return 0;
}

static int on_cgroup(void *arg, uint64_t id, const char *path)
{
	(void)arg;
	if (kt_trace_write_cgroup(out, id, path))
		die("cannot write: %s", strerror(errno));
	return 0;
}

static int on_end(void *arg, const struct kt_trace_end *end)
{
	struct kt_trace_end e = *end;

	e.end_ns += shift_ns;
	if (kt_trace_finish(out, &e))
		die("cannot write: %s", strerror(errno));
	out = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	struct kt_trace_callbacks cb = { on_info, on_event, on_stack, on_end, NULL, on_cgroup };
	struct kt_trace_reader *r;
	char err[256], *end;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: %s IN OUT NS\n", prog);
		return 2;
	}
	errno = 0;
	shift_ns = strtoull(argv[3], &end, 10);
	if (errno || *end || end == argv[3])
		die("%s: not a number of ns", argv[3]);
	if (!(f = fopen(argv[1], "rb")))
		die("cannot read %s: %s", argv[1], strerror(errno));
	if (!(r = kt_trace_open(f, &cb, err, sizeof(err))))
		die("%s: %s", argv[1], err);
	if (!(out = kt_trace_create(argv[2], info, kt_trace_compression(r) ? 3 : 0, err, sizeof(err))))
		die("%s", err);
	if (kt_trace_read(r, &cb, err, sizeof(err)) < 0)
		die("%s: %s", argv[1], err);
	if (out)
		die("%s: no end chunk", argv[1]);
	kt_trace_close(r);
	return 0;
}
