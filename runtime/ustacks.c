// SPDX-License-Identifier: GPL-2.0-or-later
/* User stacks as frame strings (ustacks.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "session.h"
#include "source.h"
#include "ustacks.h"
#include "usyms.h"
#include "warn.h"

#define STACK_IDS 65536   /* ids are below kt_ustacks' size */

struct named_stack {
	int n;
	const char *frames[KT_USTACK_DEPTH];   /* live: usyms' strings; replay: owned */
};

struct kt_ustacks {
	struct kt_usyms *usyms;
	struct named_stack **by_id;
	bool owned;            /* the replay's: frames strdup'ed */
	uint64_t shallow, deep;   /* stacks of one frame, of more */
	bool said_shallow;
};

static struct kt_ustacks *ustacks_of(struct kt_session *s)
{
	struct kt_ustacks *u = s->ustacks;

	if (u)
		return u;
	if (!(u = calloc(1, sizeof(*u))) || !(u->by_id = calloc(STACK_IDS, sizeof(*u->by_id))) ||
	    (!s->source->recorded && !(u->usyms = kt_usyms_new()))) {
		if (u)
			free(u->by_id);
		free(u);
		return NULL;
	}
	u->owned = s->source->recorded;
	if (u->usyms)
		kt_usyms_add_maps(u->usyms, "/proc/self/maps");
	return s->ustacks = u;
}

int kt_ustacks_switch(struct kt_session *s, bool on, char *err, size_t errlen)
{
	struct kt_config c;

	if (on && !s->source->recorded && !s->probes.features.ustacks) {
		snprintf(err, errlen, "this kernel cannot give user stacks (%s): e.ustack stays nil",
			 s->probes.ustacks_off);
		return -1;
	}
	if (on && !ustacks_of(s)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (s->source->config_get(s, &c)) {
		snprintf(err, errlen, "cannot read the config map");
		return -1;
	}
	c.ustacks = on;
	if (s->source->config_set(s, &c)) {
		snprintf(err, errlen, "cannot write the config map");
		return -1;
	}
	return 0;
}

static int copy_out(const struct named_stack *st, const char *frames[KT_STACK_DEPTH])
{
	memcpy(frames, st->frames, st->n * sizeof(*frames));
	return st->n;
}

/* Stacks of one frame: the walk by frame pointers stopped at once, as it
 * does in code built without them. Said once, when they are most of what
 * was seen (a thread preempted at its very start gives one too). */
static void check_depth(struct kt_ustacks *u, int n, uint32_t tgid)
{
	if (n == 1)
		u->shallow++;
	else if (n > 1)
		u->deep++;
	if (u->said_shallow || u->shallow < 8 || u->shallow <= u->deep)
		return;
	u->said_shallow = true;
	fflush(stdout);
	kt_warn("user stacks stop at their first frame (process %u among others): code built "
		"without frame pointers hides its callers (e.ustack in docs/lua-api.md)", tgid);
}

static int symbolize(struct kt_session *s, struct kt_ustacks *u, int32_t id, uint32_t tgid,
		     const char *frames[KT_STACK_DEPTH])
{
	struct bpf_stack_build_id raw[KT_USTACK_DEPTH];
	struct named_stack *st;
	bool all_named = true;
	int n = 0;

	if (bpf_map_lookup_elem(s->probes.ustacks_fd, &id, raw))
		return 0;
	for (int i = 0; i < KT_USTACK_DEPTH; i++) {
		const char *f = NULL;

		if (raw[i].status == BPF_STACK_BUILD_ID_VALID) {
			f = kt_usyms_frame(u->usyms, raw[i].build_id, sizeof(raw[i].build_id),
					   raw[i].offset, i > 0, tgid);
		} else if (raw[i].status == BPF_STACK_BUILD_ID_IP) {
			if (!raw[i].ip)
				break;
			f = kt_usyms_addr(u->usyms, tgid, raw[i].ip, i > 0);
			all_named = false;   /* another process's address may mean another frame */
		} else {
			break;
		}
		if (!f)
			break;
		all_named &= kt_usyms_named(f);
		frames[n++] = f;
	}
	check_depth(u, n, tgid);
	if (all_named && n && id < STACK_IDS && (st = calloc(1, sizeof(*st)))) {
		st->n = n;
		memcpy(st->frames, frames, n * sizeof(*frames));
		u->by_id[id] = st;
	}
	return n;
}

int kt_ustack_frames(struct kt_session *s, int32_t ustack, uint32_t tgid,
		     const char *frames[KT_STACK_DEPTH])
{
	struct kt_ustacks *u = s->ustacks;
	int32_t id = KT_USTACK_ID(ustack);

	if (ustack <= 0 || !u)
		return 0;
	if (id < STACK_IDS && u->by_id[id])
		return copy_out(u->by_id[id], frames);
	if (s->source->recorded)
		return 0;
	return symbolize(s, u, id, tgid, frames);
}

int kt_ustacks_add_recorded(struct kt_session *s, int32_t ustack, const char *const *frames, int n)
{
	struct kt_ustacks *u = ustacks_of(s);
	int32_t id = KT_USTACK_ID(ustack);
	struct named_stack *st;

	if (!u || ustack <= 0 || id >= STACK_IDS || n > KT_USTACK_DEPTH)
		return -1;
	if (u->by_id[id])
		return 0;   /* the first recording of an id stands */
	if (!(st = calloc(1, sizeof(*st))))
		return -1;
	for (int i = 0; i < n; i++)
		if ((st->frames[st->n] = strdup(frames[i])))
			st->n++;
	u->by_id[id] = st;
	return 0;
}

void kt_ustacks_exec_seen(struct kt_session *s, const void *rec, size_t size)
{
	const struct kt_exec *x = rec;
	char link[64], path[4096];
	ssize_t n;

	if (!s->ustacks || size < sizeof(*x))
		return;
	/* the binary as the process sees it: the name it was run by may be
	 * relative to its own directory */
	snprintf(link, sizeof(link), "/proc/%u/exe", x->hdr.tgid);
	n = readlink(link, path, sizeof(path) - 1);
	if (n > 0) {
		path[n] = 0;
		kt_usyms_add_path(s->ustacks->usyms, path);
	} else if (memchr(x->filename, 0, sizeof(x->filename))) {
		kt_usyms_add_path(s->ustacks->usyms, x->filename);
	}
}

void kt_ustacks_free(struct kt_ustacks *u)
{
	if (!u)
		return;
	for (int id = 0; id < STACK_IDS; id++) {
		if (!u->by_id[id])
			continue;
		if (u->owned)
			for (int i = 0; i < u->by_id[id]->n; i++)
				free((char *)u->by_id[id]->frames[i]);
		free(u->by_id[id]);
	}
	free(u->by_id);
	kt_usyms_free(u->usyms);
	free(u);
}
