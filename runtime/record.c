// SPDX-License-Identifier: GPL-2.0-or-later
/* --record FILE: the event stream saved as it is delivered, with what a
 * replay on another machine needs (host, kernel, clock offset, targets, the
 * symbolized stacks). */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "session.h"
#include "record.h"
#include "source.h"
#include "warn.h"
#include "stacks.h"
#include "trace_format.h"
#include "cgroups.h"

int kt_record_start(struct kt_session *s, const char *path, const char *targets,
		    char *err, size_t errlen)
{
	struct utsname u;
	char info[2048];

	uname(&u);
	snprintf(info, sizeof(info),
		 "keytime=%s\nhost=%s\nkernel=%s\nmono_to_real_ns=%lld\nstart_ns=%llu\nscript_start_ns=%llu\ntargets=%s\n",
		 KEYTIME_VERSION, u.nodename, u.release, (long long)s->mono_to_real_ns,
		 (unsigned long long)s->start_ns, (unsigned long long)s->script_start_ns, targets);
	s->recorder = kt_trace_create(path, info, err, errlen);
	return s->recorder ? 0 : -1;
}

void kt_record_event(struct kt_session *s, const void *rec, size_t size)
{
	const struct kt_header *h = rec;
	int err = 0;

	if (h->kind == KT_OFFCPU) {
		const struct kt_switch *sw = rec;
		if (sw->stack_id >= 0 && !kt_trace_stack_seen(s->recorder, sw->stack_id)) {
			const char *frames[KT_STACK_DEPTH];
			int n = kt_stack_frames(s, sw->stack_id, frames);
			err |= kt_trace_write_stack(s->recorder, sw->stack_id, frames, n);
		}
	}
	if (!kt_trace_cgroup_seen(s->recorder, h->cgroup_id)) {
		const char *path = kt_cgroup_path(h->cgroup_id);
		if (path)
			err |= kt_trace_write_cgroup(s->recorder, h->cgroup_id, path);
	}
	err |= kt_trace_write_event(s->recorder, rec, size);
	if (err && !s->record_failed) {
		kt_warn("writing the recording: %s", strerror(errno));
		s->record_failed = true;
	}
}

int kt_record_finish(struct kt_session *s)
{
	struct kt_trace_end end = { .end_ns = s->end_ns };
	int r;

	if (!s->recorder)
		return 0;
	kt_lost_total(s, end.lost);
	r = kt_trace_finish(s->recorder, &end);
	s->recorder = NULL;
	if (r || s->record_failed) {
		kt_warn("the recording is incomplete");
		return -1;
	}
	return 0;
}
