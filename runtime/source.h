/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where a run's events come from: the probes (live.c) or a recording
 * (replay.c), behind one interface, as libscap puts live capture and
 * savefiles behind one. The run (main.c), the kt module and the REPL ask
 * the source; none of them knows which one it is. */
#ifndef KT_SOURCE_H
#define KT_SOURCE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "keytime.h"

struct kt_session;
struct kt_features;

struct kt_source {
	bool recorded;   /* kt.replaying: the pids are not this machine's */
	/* Before the script is looked for: can this user run it at all. */
	int (*check)(char *err, size_t errlen);
	/* Before the main chunk: the probes loaded, or the recording's header
	 * read (its clock set). 0, or -1 with a message in err. */
	int (*open)(struct kt_session *s, char *err, size_t errlen);
	/* After the main chunk: the -c command started, the banner, --record. */
	int (*start)(struct kt_session *s, char *err, size_t errlen);
	/* Delivers the records to kt_lua_dispatch until the run stops. -1:
	 * the events could not be read to their end (said), no end hook. */
	int (*run)(struct kt_session *s);
	void (*close)(struct kt_session *s);

	/* The run's clock, ns: CLOCK_MONOTONIC, or the recorded one. */
	uint64_t (*now)(struct kt_session *s);
	/* Records lost (ring buffer full), per kind into by_kind if not NULL. */
	uint64_t (*lost)(struct kt_session *s, uint64_t by_kind[KT_KIND_MAX]);
	/* Tasks not traced for want of room in the filter map, and children
	 * whose end could not be told to their parent; by_reason may be NULL. */
	uint64_t (*untraced)(struct kt_session *s, uint64_t by_reason[KT_UNTRACED_MAX]);
	/* An offCPU stack as symbol strings (stacks.h); 0 when unknown. */
	int (*stack)(struct kt_session *s, int32_t id, const char *frames[KT_STACK_DEPTH]);
	/* What this kernel let the probes do (kt.features); false: unknown. */
	bool (*features)(struct kt_session *s, struct kt_features *f);

	/* The switches and the targets (kt.filter). -1 with errno on error;
	 * target_add: ESRCH when there is no such process. */
	int (*config_get)(struct kt_session *s, struct kt_config *c);
	int (*config_set)(struct kt_session *s, const struct kt_config *c);
	int (*set_cpu_events)(struct kt_session *s, bool on);    /* 0 or -errno */
	int (*set_exec_calls)(struct kt_session *s, bool on);    /* 0 or -errno */
	/* wakeup events, run-queue latency: 1 on, 0 off, -1 unchanged */
	int (*set_wake)(struct kt_session *s, int events, int runq);   /* 0 or -errno */
	int (*target_add)(struct kt_session *s, __u32 type, __u32 id, __u32 flags);
	int (*target_remove)(struct kt_session *s, __u32 type, __u32 id);
	/* Calls fn for each target; stops if fn returns non-zero. */
	void (*targets_each)(struct kt_session *s,
			     int (*fn)(const struct kt_target_key *, const struct kt_target *, void *),
			     void *arg);
	int (*targets_clear)(struct kt_session *s);
};

extern const struct kt_source kt_live_source;     /* live.c */
extern const struct kt_source kt_replay_source;   /* replay.c */

/* The run's clock and counters, from the session's source. */
uint64_t kt_now_ns(struct kt_session *s);
uint64_t kt_lost_total(struct kt_session *s, uint64_t by_kind[KT_KIND_MAX]);
uint64_t kt_untraced_total(struct kt_session *s, uint64_t by_reason[KT_UNTRACED_MAX]);
/* The script's clock: the run's, but fixed while the main chunk and the
 * end hook run (the session's frozen_now), so a replay sees the same. */
uint64_t kt_script_now(struct kt_session *s);

#endif
