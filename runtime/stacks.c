// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel stacks as symbol strings, cached: addresses symbolized from the
 * probes' stack map (the live source), or whole stacks by id as a recording
 * holds them (the replay source). */
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "session.h"
#include "source.h"
#include "stacks.h"
#include "ksyms.h"
#include "text_cache.h"

#define RECORDED_IDS 65536

struct recorded {
	int n;
	char *frames[KT_STACK_DEPTH];
};

struct kt_stacks {
	struct kt_text_cache names;  /* kernel address -> "symbol+0xoff" */
	struct recorded **recorded;  /* replay: by stack id */
};

static struct kt_stacks *stacks_of(struct kt_session *s)
{
	if (!s->stacks)
		s->stacks = calloc(1, sizeof(*s->stacks));
	return s->stacks;
}

static const char *symbol(struct kt_session *s, struct kt_stacks *st, uint64_t ip)
{
	char buf[300];
	const char *name = kt_text_cache_find(&st->names, ip);

	if (name)
		return name;
	if (!s->ksyms)
		s->ksyms = kt_ksyms_load();
	kt_ksyms_format(s->ksyms, ip, buf, sizeof(buf));
	return kt_text_cache_put(&st->names, ip, strdup(buf));
}

/* The probe, its trampoline and the tracepoint's own machinery are not part
 * of the story. __traceiter_* shows only while another tracer (bpftrace,
 * perf) also watches sched_switch: the tracepoint then calls its probes
 * through the iterator rather than directly. */
static bool tracing_frame(const char *name)
{
	return !strncmp(name, "bpf_", 4) || !strncmp(name, "__bpf_trace_", 12) ||
	       !strncmp(name, "__traceiter_", 12) || !strncmp(name, "perf_trace_", 11);
}

int kt_stack_frames(struct kt_session *s, int32_t id, const char *frames[KT_STACK_DEPTH])
{
	return s->source->stack(s, id, frames);
}

int kt_stacks_symbolize(struct kt_session *s, int32_t id, const char *frames[KT_STACK_DEPTH])
{
	struct kt_stacks *st = stacks_of(s);
	__u64 ips[KT_STACK_DEPTH];
	int n = 0;

	if (!st || id < 0 || bpf_map_lookup_elem(s->probes.stacks_fd, &id, ips))
		return 0;
	for (int i = 0; i < KT_STACK_DEPTH && ips[i]; i++) {
		const char *name = symbol(s, st, ips[i]);
		if (!name)
			break;
		if (n == 0 && tracing_frame(name))
			continue;
		frames[n++] = name;
	}
	return n;
}

int kt_stacks_recorded(struct kt_session *s, int32_t id, const char *frames[KT_STACK_DEPTH])
{
	struct kt_stacks *st = stacks_of(s);
	struct recorded *r = st && id >= 0 && id < RECORDED_IDS && st->recorded ? st->recorded[id] : NULL;

	if (!r)
		return 0;
	memcpy(frames, r->frames, r->n * sizeof(*frames));
	return r->n;
}

int kt_stacks_add_recorded(struct kt_session *s, int32_t id, const char *const *frames, int n)
{
	struct kt_stacks *st = stacks_of(s);
	struct recorded *r;

	if (!st || id < 0 || id >= RECORDED_IDS || n > KT_STACK_DEPTH)
		return -1;
	if (!st->recorded && !(st->recorded = calloc(RECORDED_IDS, sizeof(*st->recorded))))
		return -1;
	if (st->recorded[id])
		return 0;   /* the first recording of an id stands */
	if (!(r = calloc(1, sizeof(*r))))
		return -1;
	for (int i = 0; i < n; i++)
		r->frames[r->n++] = strdup(frames[i]);
	st->recorded[id] = r;
	return 0;
}

void kt_stacks_free(struct kt_stacks *st)
{
	if (!st)
		return;
	kt_text_cache_free(&st->names);
	if (st->recorded) {
		for (int id = 0; id < RECORDED_IDS; id++) {
			if (!st->recorded[id])
				continue;
			for (int i = 0; i < st->recorded[id]->n; i++)
				free(st->recorded[id]->frames[i]);
			free(st->recorded[id]);
		}
		free(st->recorded);
	}
	free(st);
}
