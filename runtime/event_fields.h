// SPDX-License-Identifier: GPL-2.0-or-later
/* The fields of an event record, one table for every reader: the Lua event
 * object (lua_event.c) and the JSON encoder (event_json.c) both decode a
 * record through kt_field_get(), so e.pid and the JSON "pid" never disagree.
 * Pure functions of the record, unit-tested. */
#ifndef KT_EVENT_FIELDS_H
#define KT_EVENT_FIELDS_H
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "keytime.h"

/* Every field a script can read; kt_field_name() gives their names. */
enum kt_field {
	KT_F_NONE, KT_F_KIND, KT_F_NAME, KT_F_TIME, KT_F_CPU, KT_F_PID, KT_F_TGID, KT_F_PPID, KT_F_COMM,
	KT_F_FILENAME, KT_F_ARGV, KT_F_ARGC, KT_F_ARGV_TRUNCATED, KT_F_RET,
	KT_F_EXIT_CODE, KT_F_SIGNAL, KT_F_CORE_DUMPED, KT_F_GROUP_DEAD, KT_F_START_TIME, KT_F_LIFETIME,
	KT_F_CHILD_PID, KT_F_CHILD_TGID, KT_F_CLONE_FLAGS,
	KT_F_STATE, KT_F_STATE_NAME, KT_F_STATE_CODE, KT_F_STACK_ID, KT_F_KSTACK, KT_F_RUNTIME,
	KT_F_OLD_PID,
	KT_F_RUNQ_LATENCY, KT_F_WAKER_PID, KT_F_WAKER_TGID, KT_F_WAKER_COMM, KT_F_WAKER_IRQ,
	KT_F_TARGET_CPU, KT_F_NEW_TASK,
	/* who the thread is (common to every kind) */
	KT_F_UID, KT_F_GID, KT_F_CGROUP_ID, KT_F_CGROUP, KT_F_CONTAINER_ID, KT_F_NSPID, KT_F_NSTGID,
	KT_F_PIDNS,
	KT_F_USTACK,
	KT_F_COUNT,
};

const char *kt_field_name(enum kt_field f);   /* NULL for KT_F_NONE and out of range */

/* A record's fields: the common ones (kind, name, time, cpu, pid, tgid,
 * ppid, comm, then the identity ones), then the kind's own, in the order
 * e:totable() and the docs list them; each list ends with KT_F_NONE. */
extern const enum kt_field kt_common_fields[];
extern const enum kt_field kt_identity_fields[];   /* uid ... pidns */

/* How a cgroup id becomes its path (cgroups.c on a live host); unset, the
 * cgroup and container_id fields are absent. A path it returns must stay
 * as it is for the run (the container id found in it is kept by address). */
void kt_fields_set_cgroup_path(const char *(*path_of)(uint64_t id));
const enum kt_field *kt_kind_fields(unsigned kind);

enum kt_value_type {
	KT_V_NONE,     /* the kind has no such field */
	KT_V_INT,      /* i: what Lua reads as an integer (a u64 wraps like lua_Integer) */
	KT_V_BOOL,     /* i: 0 or 1 */
	KT_V_STR,      /* s, len: bytes of the record, not NUL-terminated */
	KT_V_ARGV,     /* a list: kt_field_argv() */
	KT_V_KSTACK,   /* a list of symbols: i is the stack id (stacks.c resolves it) */
	KT_V_USTACK,   /* a list of frames: i is the record's ustack, len its tgid (ustacks.c) */
};

struct kt_value {
	enum kt_value_type type;
	int64_t i;
	const char *s;
	size_t len;
};

/* Field f of a valid record (kt_record_valid). */
struct kt_value kt_field_get(const void *rec, enum kt_field f);

/* An exec record's arguments (exec_enter or exec): up to max, each a pointer
 * into the record and its length; their count. */
#define KT_FIELD_ARGV_MAX (KT_ARGS_BUF / 2)
int kt_field_argv(const void *rec, const char **argv, size_t *lens, int max);

#endif
