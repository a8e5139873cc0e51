// SPDX-License-Identifier: GPL-2.0-or-later
/* The trace-file reader (runtime/trace_reader.c kt_trace_parse): any bytes
 * give either the parts of the file or an error naming a byte offset inside
 * it, and every event handed over is a complete, valid record. */
#include <string.h>
#include "fuzz.h"
#include "trace_format.h"
#include "events.h"

struct seen {
	size_t events, stacks, bytes;
};

static int on_event(void *arg, const void *rec, size_t size)
{
	struct seen *s = arg;
	struct kt_header h;

	FUZZ_CHECK(size >= sizeof(h));
	memcpy(&h, rec, sizeof(h));
	FUZZ_CHECK(h.kind > 0 && h.kind < KT_KIND_MAX && size >= kt_kind_min_size(h.kind));
	s->events++;
	s->bytes += size;
	return 0;
}

static int on_stack(void *arg, int32_t id, const char *const *frames, int n)
{
	struct seen *s = arg;

	FUZZ_CHECK(n >= 0 && n <= KT_STACK_DEPTH);
	for (int i = 0; i < n; i++)
		s->bytes += strlen(frames[i]);
	s->stacks++;
	return 0;
}

static int on_info(void *arg, const char *key, const char *value)
{
	FUZZ_CHECK(!strchr(key, '\n') && !strchr(value, '\n'));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { 0 };
	struct kt_trace_callbacks cb = { on_info, on_event, on_stack, NULL, &s, NULL };
	char err[256];
	int r = kt_trace_parse(data, size, &cb, err, sizeof(err));

	FUZZ_CHECK(r == 0 || r == -1);
	/* Version 1 holds every byte it hands over; version 2 trims exec
	 * records and may compress: it can hand over more. */
	if (size > 8 && data[8] == 1)
		FUZZ_CHECK(s.bytes <= size);
	if (r < 0)
		FUZZ_CHECK(strstr(err, "byte offset") || strstr(err, "newer"));
	return 0;
}
