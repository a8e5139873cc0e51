// SPDX-License-Identifier: GPL-2.0-or-later
/* --record FILE: the event stream saved as it is delivered, with what a
 * replay on another machine needs (host, kernel, clock offset, targets, the
 * symbolized stacks); zstd-compressed unless --record-compress 0, flushed
 * every second, and with --record-size / --record-time split into parts
 * that each replay alone (--record-keep: only the newest N kept). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "session.h"
#include "options.h"
#include "record.h"
#include "source.h"
#include "warn.h"
#include "stacks.h"
#include "ustacks.h"
#include "trace_format.h"
#include "cgroups.h"

#define FLUSH_EVERY_NS 1000000000ULL

static struct {
	const char *path;          /* --record FILE */
	char targets[512];
	bool parts;                /* rotating: FILE's name with .NNNNNN */
	unsigned part;             /* the one being written, from 1 */
	uint64_t part_start_ns;
	uint64_t lost_before[KT_KIND_MAX];   /* lost counts when the part began */
	uint64_t flushed_ns;
} rec;

void kt_record_part_path(const char *path, unsigned part, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');

	if (dot && dot != (slash ? slash + 1 : path))   /* "x.kt" -> "x.000001.kt" */
		snprintf(out, outlen, "%.*s.%06u%s", (int)(dot - path), path, part, dot);
	else
		snprintf(out, outlen, "%s.%06u", path, part);
}

static int open_part(struct kt_session *s, uint64_t start_ns, uint64_t script_start_ns,
		     char *err, size_t errlen)
{
	struct utsname u;
	char info[2048], part[32] = "", path[4096];

	if (rec.parts) {
		snprintf(part, sizeof(part), "part=%u\n", rec.part);
		kt_record_part_path(rec.path, rec.part, path, sizeof(path));
	} else
		snprintf(path, sizeof(path), "%s", rec.path);
	uname(&u);
	snprintf(info, sizeof(info),
		 "keytime=%s\nhost=%s\nkernel=%s\nmono_to_real_ns=%lld\nstart_ns=%llu\nscript_start_ns=%llu\ntargets=%s\n%s",
		 KEYTIME_VERSION, u.nodename, u.release, (long long)s->mono_to_real_ns,
		 (unsigned long long)start_ns, (unsigned long long)script_start_ns, rec.targets, part);
	s->recorder = kt_trace_create(path, info, s->opts->record_compress, err, errlen);
	rec.part_start_ns = start_ns;
	return s->recorder ? 0 : -1;
}

int kt_record_start(struct kt_session *s, const char *path, const char *targets,
		    char *err, size_t errlen)
{
	rec.path = path;
	snprintf(rec.targets, sizeof(rec.targets), "%s", targets);
	rec.parts = s->opts->record_size || s->opts->record_time;
	rec.part = 1;
	rec.flushed_ns = kt_now_ns(s);
	memset(rec.lost_before, 0, sizeof(rec.lost_before));
	return open_part(s, s->start_ns, s->script_start_ns, err, errlen);
}

/* The part ends at t (the next event's time), the next begins there. */
static int next_part(struct kt_session *s, uint64_t t)
{
	struct kt_trace_end end = { .end_ns = t };
	char err[512], old[4096];
	int r;

	kt_lost_total(s, end.lost);
	for (int k = 0; k < KT_KIND_MAX; k++) {
		uint64_t total = end.lost[k];
		end.lost[k] -= rec.lost_before[k];
		rec.lost_before[k] = total;
	}
	r = kt_trace_finish(s->recorder, &end);
	s->recorder = NULL;
	rec.part++;
	if (open_part(s, t, t, err, sizeof(err))) {
		kt_warn("%s", err);
		return -1;
	}
	if (s->opts->record_keep && rec.part > s->opts->record_keep) {
		kt_record_part_path(rec.path, rec.part - s->opts->record_keep, old, sizeof(old));
		if (unlink(old) && errno != ENOENT)
			kt_warn("cannot remove %s: %s", old, strerror(errno));
	}
	return r;
}

static bool part_full(struct kt_session *s, uint64_t t)
{
	const struct kt_options *o = s->opts;

	return rec.parts && ((o->record_size && kt_trace_size(s->recorder) >= o->record_size) ||
			     (o->record_time && t >= rec.part_start_ns + (uint64_t)(o->record_time * 1e9)));
}

void kt_record_event(struct kt_session *s, const void *rec_, size_t size)
{
	const struct kt_header *h = rec_;
	int err = 0;

	if (part_full(s, h->time)) {
		err = next_part(s, h->time);
		if (!s->recorder) {
			s->record_failed = true;
			return;
		}
	}
	if (!kt_trace_cgroup_seen(s->recorder, h->cgroup_id)) {
		const char *path = kt_cgroup_path(h->cgroup_id);
		if (path)
			err |= kt_trace_write_cgroup(s->recorder, h->cgroup_id, path);
	}
	if (h->kind == KT_OFFCPU || h->kind == KT_WAKEUP) {
		int32_t id = h->kind == KT_OFFCPU ? ((const struct kt_switch *)rec_)->stack_id
						  : ((const struct kt_wakeup *)rec_)->stack_id;
		if (id >= 0 && !kt_trace_stack_seen(s->recorder, id)) {
			const char *frames[KT_STACK_DEPTH];
			int n = kt_stack_frames(s, id, frames);
			err |= kt_trace_write_stack(s->recorder, id, frames, n);
		}
		int32_t ustack = h->kind == KT_OFFCPU ? ((const struct kt_switch *)rec_)->ustack
						      : ((const struct kt_wakeup *)rec_)->ustack;
		if (ustack > 0 && !kt_trace_stack_seen(s->recorder, KT_TRACE_USTACK | ustack)) {
			const char *frames[KT_STACK_DEPTH];
			uint32_t tgid = h->kind == KT_OFFCPU ? h->tgid : ((const struct kt_wakeup *)rec_)->waker_tgid;
			int n = kt_ustack_frames(s, ustack, tgid, frames);
			err |= kt_trace_write_stack(s->recorder, KT_TRACE_USTACK | ustack, frames, n);
		}
	}
	err |= kt_trace_write_event(s->recorder, rec_, size);
	if (err && !s->record_failed) {
		kt_warn("writing the recording: %s", strerror(errno));
		s->record_failed = true;
	}
}

void kt_record_tick(struct kt_session *s, uint64_t now)
{
	if (!s->recorder || now < rec.flushed_ns + FLUSH_EVERY_NS)
		return;
	rec.flushed_ns = now;
	if (kt_trace_flush(s->recorder) && !s->record_failed) {
		kt_warn("writing the recording: %s", strerror(errno));
		s->record_failed = true;
	}
}

int kt_record_finish(struct kt_session *s)
{
	struct kt_trace_end end = { .end_ns = s->end_ns };
	int r = 0;

	if (s->recorder) {
		kt_lost_total(s, end.lost);
		for (int k = 0; k < KT_KIND_MAX; k++)
			end.lost[k] -= rec.lost_before[k];
		r = kt_trace_finish(s->recorder, &end);
		s->recorder = NULL;
	}
	if (r || s->record_failed) {
		kt_warn("the recording is incomplete");
		return -1;
	}
	return 0;
}
