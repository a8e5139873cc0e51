// SPDX-License-Identifier: GPL-2.0-or-later
/* User stacks as frame strings (ustacks.h). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "mmap_records.h"
#include "session.h"
#include "source.h"
#include "umaps.h"
#include "ustacks.h"
#include "usyms.h"
#include "warn.h"

#define STACK_IDS 65536   /* refs kept (keytime.h): by address, then by build-id; recordings' */
#define UMAPS_PROCS 4096  /* processes whose mappings are kept (umaps.h) */

struct named_stack {
	int n;
	const char *frames[KT_USTACK_DEPTH];   /* live: usyms' strings; replay: owned */
	/* By address: the process it was named for, and where each frame was
	 * there; another process with the same addresses is checked against. */
	uint32_t tgid;
	const struct kt_umap_file *files[KT_USTACK_DEPTH];
	uint64_t offsets[KT_USTACK_DEPTH];
};

struct kt_ustacks {
	struct kt_usyms *usyms;
	struct kt_umaps *umaps;    /* live, frames by address: NULL until asked */
	struct kt_mmap_records *mmaps;   /* with umaps, if the kernel gives them */
	struct named_stack **by_id;
	bool owned;            /* the replay's: frames strdup'ed */
	uint64_t shallow, deep;   /* stacks of one frame, of more */
	unsigned char walked[KT_USTACK_ENTRIES / 8];   /* by address: ids whose frames were looked up */
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

/* The map of mode and what resolves its frames, made the first time. */
static int prepare(struct kt_session *s, struct kt_ustacks *u, int mode, char *err, size_t errlen)
{
	if (s->source->recorded)
		return 0;
	if (!u->umaps) {
		char why[128];

		if (!(u->umaps = kt_umaps_new("/proc", UMAPS_PROCS))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (!(u->mmaps = kt_mmap_records_open(why, sizeof(why))))
			kt_warn("user stacks: no mapping records from the kernel (%s): a process that ends "
				"within a few ms may show its libraries' frames as addresses", why);
	}
	return kt_probes_ustack_map(&s->probes, mode == KT_USTACKS_BUILD_ID, err, errlen);
}

int kt_ustacks_switch(struct kt_session *s, int mode, char *err, size_t errlen)
{
	struct kt_ustacks *u = NULL;
	struct kt_config c;
	bool said = false;

	if (mode && !s->source->recorded && !s->probes.features.ustacks) {
		snprintf(err, errlen, "this kernel cannot give user stacks (%s): e.ustack stays nil",
			 s->probes.ustacks_off);
		return -1;
	}
	if (mode == KT_USTACKS_BUILD_ID && !s->source->recorded && !s->probes.features.ustacks_build_id) {
		snprintf(err, errlen, "this kernel cannot give user stacks by build-id (%s): "
			 "by address instead", s->probes.ustacks_off);
		mode = KT_USTACKS_ADDR;
		said = true;
	}
	if (mode && !(u = ustacks_of(s))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (mode && prepare(s, u, mode, err, errlen))
		return -1;
	if (s->source->config_get(s, &c)) {
		snprintf(err, errlen, "cannot read the config map");
		return -1;
	}
	c.ustacks = mode;
	if (s->source->config_set(s, &c)) {
		snprintf(err, errlen, "cannot write the config map");
		return -1;
	}
	return said ? 1 : 0;
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

/* A stack named by build-id and offset, as the kernel gave it. */
static int name_by_build_id(struct kt_session *s, struct kt_ustacks *u, int32_t id, uint32_t tgid,
			    const char *frames[KT_STACK_DEPTH], bool *all_named)
{
	struct bpf_stack_build_id raw[KT_USTACK_DEPTH];
	int n = 0;

	if (s->probes.ustacks_build_id_fd < 0 || bpf_map_lookup_elem(s->probes.ustacks_build_id_fd, &id, raw))
		return 0;
	for (int i = 0; i < KT_USTACK_DEPTH; i++) {
		const char *f = NULL;

		if (raw[i].status == BPF_STACK_BUILD_ID_VALID) {
			/* the file as mapped while the process ran: it may have
			 * been replaced on disk since, or the process gone */
			const struct kt_umap_file *file =
				kt_umaps_file_by_build_id(u->umaps, raw[i].build_id, sizeof(raw[i].build_id));
			if (file)
				kt_usyms_offer(u->usyms, raw[i].build_id, sizeof(raw[i].build_id), file->fd, file->name);
			f = kt_usyms_frame(u->usyms, raw[i].build_id, sizeof(raw[i].build_id),
					   raw[i].offset, i > 0, tgid);
		} else if (raw[i].status == BPF_STACK_BUILD_ID_IP) {
			if (!raw[i].ip)
				break;
			f = kt_usyms_addr(u->usyms, tgid, raw[i].ip, i > 0);
			*all_named = false;   /* another process's address may mean another frame */
		} else {
			break;
		}
		if (!f)
			break;
		*all_named &= kt_usyms_named(f);
		frames[n++] = f;
	}
	return n;
}

/* One address of process tgid, through its mappings (umaps.c). */
static const char *name_address(struct kt_ustacks *u, uint32_t tgid, uint64_t ip, bool ret,
				const struct kt_umap_file **file, uint64_t *offset)
{
	char *text;

	*offset = 0;
	*file = kt_umaps_resolve(u->umaps, tgid, ip, offset);
	if (*file && (*file)->id_len) {
		kt_usyms_offer(u->usyms, (*file)->id, (*file)->id_len, (*file)->fd, (*file)->name);
		return kt_usyms_frame(u->usyms, (*file)->id, (*file)->id_len, *offset, ret, 0);
	}
	if (*file)
		text = asprintf(&text, "0x%" PRIx64 " (%s)", *offset, (*file)->name) >= 0 ? text : NULL;
	else
		text = asprintf(&text, "0x%" PRIx64, ip) >= 0 ? text : NULL;
	return kt_usyms_keep(u->usyms, text);
}

/* Whether st, named for another process, holds for tgid: the same files
 * at the same offsets (a forked child's do, another program's may not). */
static bool holds_for(struct kt_ustacks *u, const struct named_stack *st, const __u64 *ips,
		      uint32_t tgid)
{
	for (int i = 0; i < st->n; i++) {
		uint64_t offset = 0;
		const struct kt_umap_file *f = kt_umaps_resolve(u->umaps, tgid, ips[i], &offset);

		if (f != st->files[i] || (f && offset != st->offsets[i]) ||
		    (!f && !kt_umaps_stray(u->umaps, tgid, ips[i])))
			return false;
	}
	return true;
}

/* Where a stack is kept by its ref (keytime.h): the ref's order; a
 * recording's refs, from keytime before build-id refs too, are the same. */
static int slot_of(int32_t ustack)
{
	return ustack > 0 && ustack <= STACK_IDS ? ustack - 1 : -1;
}

static int symbolize(struct kt_session *s, struct kt_ustacks *u, int32_t ustack, uint32_t tgid,
		     const char *frames[KT_STACK_DEPTH])
{
	int32_t id = KT_USTACK_ID(ustack);
	int slot = slot_of(ustack);
	const struct kt_umap_file *files[KT_USTACK_DEPTH];
	uint64_t offsets[KT_USTACK_DEPTH];
	__u64 ips[KT_USTACK_DEPTH];
	struct named_stack *st = slot >= 0 ? u->by_id[slot] : NULL;
	bool all_named = true, by_address = !(KT_USTACK_BY_BUILD_ID(ustack));
	int n = 0;

	if (!by_address) {
		n = name_by_build_id(s, u, id, tgid, frames, &all_named);
	} else {
		if (!u->umaps || s->probes.ustacks_fd < 0 || bpf_map_lookup_elem(s->probes.ustacks_fd, &id, ips))
			return 0;
		if (st && holds_for(u, st, ips, tgid)) {
			st->tgid = tgid;
			return copy_out(st, frames);
		}
		for (int i = 0; i < KT_USTACK_DEPTH && ips[i]; i++) {
			const char *f = name_address(u, tgid, ips[i], i > 0, &files[n], &offsets[n]);
			if (!f)
				break;
			/* an address its mappings never held, read again since: it
			 * will not be named later either */
			all_named &= (kt_usyms_named(f) && files[n]) ||
				     (!files[n] && kt_umaps_stray(u->umaps, tgid, ips[i]));
			frames[n++] = f;
		}
	}
	check_depth(u, n, tgid);
	if (!all_named || !n || slot < 0 || (!st && !(st = calloc(1, sizeof(*st)))))
		return n;
	st->n = n;
	st->tgid = tgid;
	memcpy(st->frames, frames, n * sizeof(*frames));
	if (by_address) {
		memcpy(st->files, files, n * sizeof(*files));
		memcpy(st->offsets, offsets, n * sizeof(*offsets));
	}
	u->by_id[slot] = st;
	return n;
}

int kt_ustack_frames(struct kt_session *s, int32_t ustack, uint32_t tgid,
		     const char *frames[KT_STACK_DEPTH])
{
	struct kt_ustacks *u = s->ustacks;
	int slot = slot_of(ustack);

	if (ustack <= 0 || !u)
		return 0;
	if (slot >= 0 && u->by_id[slot] && (s->source->recorded || u->by_id[slot]->tgid == tgid ||
					    (KT_USTACK_BY_BUILD_ID(ustack))))
		return copy_out(u->by_id[slot], frames);
	if (s->source->recorded)
		return 0;
	return symbolize(s, u, ustack, tgid, frames);
}

int kt_ustacks_add_recorded(struct kt_session *s, int32_t ustack, const char *const *frames, int n)
{
	struct kt_ustacks *u = ustacks_of(s);
	int slot = slot_of(ustack);
	struct named_stack *st;

	if (!u || ustack <= 0 || slot < 0 || n > KT_USTACK_DEPTH)
		return -1;
	if (u->by_id[slot])
		return 0;   /* the first recording of an id stands */
	if (!(st = calloc(1, sizeof(*st))))
		return -1;
	for (int i = 0; i < n; i++)
		if ((st->frames[st->n] = strdup(frames[i])))
			st->n++;
	u->by_id[slot] = st;
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

/* A stack, as soon as it is read: its process's mappings read if they
 * were only at its exec (by build-id: so the files are open should they
 * be replaced), and by address a new stack's frames looked up, the
 * mappings read again for one not held, while the process most likely
 * still runs; the names can come later. */
static void cover(struct kt_session *s, uint32_t tgid, int32_t ustack)
{
	struct kt_ustacks *u = s->ustacks;
	int32_t id = KT_USTACK_ID(ustack);
	__u64 ips[KT_USTACK_DEPTH];
	uint64_t offset;

	kt_umaps_stack_seen(u->umaps, tgid);
	if (KT_USTACK_BY_BUILD_ID(ustack) || u->walked[id / 8] & (1 << id % 8))
		return;
	u->walked[id / 8] |= 1 << id % 8;
	if (s->probes.ustacks_fd < 0 || bpf_map_lookup_elem(s->probes.ustacks_fd, &id, ips))
		return;
	for (int i = 0; i < KT_USTACK_DEPTH && ips[i]; i++)
		kt_umaps_resolve(u->umaps, tgid, ips[i], &offset);
}

void kt_ustacks_seen(struct kt_session *s, const void *rec, size_t size)
{
	const struct kt_header *h = rec;
	struct kt_umaps *m = s->ustacks ? s->ustacks->umaps : NULL;
	int32_t ustack = 0;

	if (h->kind == KT_EXEC)
		kt_ustacks_exec_seen(s, rec, size);
	if (!m)
		return;
	/* first what the kernel mapped until now: an exec's record comes
	 * after its image's mappings, a stack's after its libraries' */
	kt_mmap_records_drain(s->ustacks->mmaps, m);
	if (h->kind == KT_EXEC) {
		kt_umaps_read(m, h->tgid);
	} else if ((h->kind == KT_FORK || h->kind == KT_VFORK) && size >= sizeof(struct kt_child)) {
		kt_umaps_fork(m, h->tgid, ((const struct kt_child *)rec)->child_tgid);
	} else if (h->kind == KT_OFFCPU && size >= sizeof(struct kt_switch)) {
		ustack = ((const struct kt_switch *)rec)->ustack;
	} else if (h->kind == KT_WAKEUP && size >= sizeof(struct kt_wakeup)) {
		ustack = ((const struct kt_wakeup *)rec)->ustack;
		if (ustack > 0)   /* the waker's */
			cover(s, ((const struct kt_wakeup *)rec)->waker_tgid, ustack);
		return;
	}
	if (ustack > 0)
		cover(s, h->tgid, ustack);
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
	if (kt_mmap_records_lost(u->mmaps))
		kt_warn("user stacks: %" PRIu64 " mapping records lost (the kernel's ring was full)",
			kt_mmap_records_lost(u->mmaps));
	kt_mmap_records_close(u->mmaps);
	kt_umaps_free(u->umaps);
	free(u);
}
