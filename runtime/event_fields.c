// SPDX-License-Identifier: GPL-2.0-or-later
/* The fields of an event record (event_fields.h). */
#include <string.h>
#include "event_fields.h"
#include "events.h"
#include "container_id.h"

static const char *const names[KT_F_COUNT] = {
	[KT_F_KIND] = "kind", [KT_F_NAME] = "name", [KT_F_TIME] = "time", [KT_F_CPU] = "cpu",
	[KT_F_PID] = "pid", [KT_F_TGID] = "tgid", [KT_F_PPID] = "ppid", [KT_F_COMM] = "comm",
	[KT_F_FILENAME] = "filename", [KT_F_ARGV] = "argv", [KT_F_ARGC] = "argc",
	[KT_F_ARGV_TRUNCATED] = "argv_truncated", [KT_F_RET] = "ret",
	[KT_F_EXIT_CODE] = "exit_code", [KT_F_SIGNAL] = "signal", [KT_F_CORE_DUMPED] = "core_dumped",
	[KT_F_GROUP_DEAD] = "group_dead", [KT_F_START_TIME] = "start_time", [KT_F_LIFETIME] = "lifetime",
	[KT_F_CHILD_PID] = "child_pid", [KT_F_CHILD_TGID] = "child_tgid", [KT_F_CLONE_FLAGS] = "clone_flags",
	[KT_F_STATE] = "state", [KT_F_STATE_NAME] = "state_name", [KT_F_STATE_CODE] = "state_code",
	[KT_F_STACK_ID] = "stack_id", [KT_F_KSTACK] = "kstack", [KT_F_RUNTIME] = "runtime",
	[KT_F_OLD_PID] = "old_pid",
	[KT_F_RUNQ_LATENCY] = "runq_latency", [KT_F_WAKER_PID] = "waker_pid",
	[KT_F_WAKER_TGID] = "waker_tgid", [KT_F_WAKER_COMM] = "waker_comm",
	[KT_F_WAKER_IRQ] = "waker_irq", [KT_F_TARGET_CPU] = "target_cpu", [KT_F_NEW_TASK] = "new_task",
	[KT_F_UID] = "uid", [KT_F_GID] = "gid", [KT_F_CGROUP_ID] = "cgroup_id", [KT_F_CGROUP] = "cgroup",
	[KT_F_CONTAINER_ID] = "container_id", [KT_F_NSPID] = "nspid", [KT_F_NSTGID] = "nstgid",
	[KT_F_PIDNS] = "pidns", [KT_F_USTACK] = "ustack",
};

const char *kt_field_name(enum kt_field f)
{
	return f > KT_F_NONE && f < KT_F_COUNT ? names[f] : NULL;
}

const enum kt_field kt_common_fields[] = {
	KT_F_KIND, KT_F_NAME, KT_F_TIME, KT_F_CPU, KT_F_PID, KT_F_TGID, KT_F_PPID, KT_F_COMM,
	KT_F_UID, KT_F_GID, KT_F_CGROUP_ID, KT_F_CGROUP, KT_F_CONTAINER_ID, KT_F_NSPID, KT_F_NSTGID,
	KT_F_PIDNS, KT_F_NONE
};
const enum kt_field kt_identity_fields[] = {
	KT_F_UID, KT_F_GID, KT_F_CGROUP_ID, KT_F_CGROUP, KT_F_CONTAINER_ID, KT_F_NSPID, KT_F_NSTGID,
	KT_F_PIDNS, KT_F_NONE
};

static const char *(*cgroup_path_of)(uint64_t id);
/* The last path's container id, kept: a path_of string stays as it is for
 * the run, and a storm comes from one cgroup (no six strstr() an event). */
static const char *last_path;
static bool last_has_id;

void kt_fields_set_cgroup_path(const char *(*path_of)(uint64_t id))
{
	cgroup_path_of = path_of;
	last_path = NULL;
}
static const enum kt_field exec_enter_fields[] = { KT_F_FILENAME, KT_F_ARGV, KT_F_ARGC, KT_F_ARGV_TRUNCATED, KT_F_NONE };
static const enum kt_field exec_exit_fields[] = { KT_F_RET, KT_F_NONE };
static const enum kt_field exec_fields[] = { KT_F_FILENAME, KT_F_ARGV, KT_F_ARGC, KT_F_ARGV_TRUNCATED, KT_F_OLD_PID, KT_F_NONE };
static const enum kt_field exit_fields[] = { KT_F_EXIT_CODE, KT_F_SIGNAL, KT_F_CORE_DUMPED, KT_F_GROUP_DEAD,
					     KT_F_START_TIME, KT_F_LIFETIME, KT_F_NONE };
static const enum kt_field child_fields[] = { KT_F_CHILD_PID, KT_F_CHILD_TGID, KT_F_CLONE_FLAGS, KT_F_NONE };
static const enum kt_field child_exit_fields[] = { KT_F_CHILD_PID, KT_F_CHILD_TGID, KT_F_EXIT_CODE, KT_F_SIGNAL,
						   KT_F_LIFETIME, KT_F_NONE };
static const enum kt_field oncpu_fields[] = { KT_F_RUNTIME, KT_F_RUNQ_LATENCY, KT_F_WAKER_PID, KT_F_NONE };
static const enum kt_field offcpu_fields[] = { KT_F_STATE, KT_F_STATE_NAME, KT_F_STATE_CODE, KT_F_STACK_ID,
					       KT_F_KSTACK, KT_F_RUNTIME, KT_F_USTACK, KT_F_NONE };
static const enum kt_field wakeup_fields[] = { KT_F_WAKER_PID, KT_F_WAKER_TGID, KT_F_WAKER_COMM,
					       KT_F_WAKER_IRQ, KT_F_TARGET_CPU, KT_F_NEW_TASK,
					       KT_F_STACK_ID, KT_F_KSTACK, KT_F_USTACK, KT_F_NONE };
static const enum kt_field no_fields[] = { KT_F_NONE };

const enum kt_field *kt_kind_fields(unsigned kind)
{
	switch (kind) {
	case KT_EXEC_ENTER: return exec_enter_fields;
	case KT_EXEC_EXIT:  return exec_exit_fields;
	case KT_EXEC:       return exec_fields;
	case KT_EXIT:       return exit_fields;
	case KT_FORK: case KT_VFORK: case KT_THREAD: return child_fields;
	case KT_FORK_EXIT: case KT_VFORK_EXIT: case KT_THREAD_EXIT: return child_exit_fields;
	case KT_ONCPU:      return oncpu_fields;
	case KT_OFFCPU:     return offcpu_fields;
	case KT_WAKEUP:     return wakeup_fields;
	default:            return no_fields;
	}
}

static struct kt_value v_int(int64_t i) { return (struct kt_value){ .type = KT_V_INT, .i = i }; }

/* No ustack field unless user stacks were asked for (kt.filter.ustacks). */
static struct kt_value ustack(int32_t ustack, uint32_t tgid)
{
	if (ustack == KT_USTACK_NOT_ASKED)
		return (struct kt_value){ .type = KT_V_NONE };
	return (struct kt_value){ .type = KT_V_USTACK, .i = ustack, .len = tgid };
}
static struct kt_value v_bool(int b) { return (struct kt_value){ .type = KT_V_BOOL, .i = !!b }; }
static struct kt_value v_str(const char *s, size_t max)
{
	return (struct kt_value){ .type = KT_V_STR, .s = s, .len = strnlen(s, max) };
}
static struct kt_value v_cstr(const char *s)
{
	return (struct kt_value){ .type = KT_V_STR, .s = s ? s : "", .len = s ? strlen(s) : 0 };
}
static const struct kt_value none = { .type = KT_V_NONE };

int kt_field_argv(const void *rec, const char **argv, size_t *lens, int max)
{
	const struct kt_header *h = rec;
	int n = 0;

	if (h->kind == KT_EXEC_ENTER) {
		const struct kt_exec_enter *x = rec;
		unsigned argc = x->argc < KT_ARGV_MAX ? x->argc : KT_ARGV_MAX;   /* never trust a count */
		for (unsigned i = 0; i < argc && n < max; i++, n++) {
			argv[n] = kt_exec_arg(x, i);
			lens[n] = strnlen(argv[n], KT_ARG_LEN);
		}
	} else if (h->kind == KT_EXEC) {
		const struct kt_exec *x = rec;
		n = kt_exec_split_args(x, argv, max);
		for (int i = 0; i < n; i++)
			lens[i] = kt_exec_arg_len(x, argv[i]);
	}
	return n;
}

static int exec_argc(const struct kt_exec *x)
{
	const char *argv[KT_FIELD_ARGV_MAX];

	return kt_exec_split_args(x, argv, KT_FIELD_ARGV_MAX);
}

struct kt_value kt_field_get(const void *rec, enum kt_field f)
{
	const struct kt_header *h = rec;
	unsigned kind = h->kind;

	switch (f) {
	case KT_F_KIND: return v_cstr(kt_kind_name(kind));
	case KT_F_NAME: return v_cstr(kt_kind_table_name(kind));
	case KT_F_TIME: return v_int((int64_t)h->time);
	case KT_F_CPU:  return v_int(h->cpu);
	case KT_F_PID:  return v_int(h->pid);
	case KT_F_TGID: return v_int(h->tgid);
	case KT_F_PPID: return v_int(h->ppid);
	case KT_F_COMM: return v_str(h->comm, KT_COMM_LEN);
	case KT_F_UID:  return v_int(h->uid);
	case KT_F_GID:  return v_int(h->gid);
	case KT_F_CGROUP_ID: return v_int((int64_t)h->cgroup_id);
	case KT_F_NSPID:  return v_int(h->nspid);
	case KT_F_NSTGID: return v_int(h->nstgid);
	case KT_F_PIDNS:  return v_int(h->pidns);
	case KT_F_CGROUP:
	case KT_F_CONTAINER_ID: {
		static char id[65];
		const char *path = cgroup_path_of && h->cgroup_id ? cgroup_path_of(h->cgroup_id) : NULL;

		if (f == KT_F_CGROUP)
			return path ? v_cstr(path) : none;
		if (!path)
			return none;
		if (path != last_path) {
			last_has_id = kt_container_id(path, id) != NULL;
			last_path = path;
		}
		return last_has_id ? v_cstr(id) : none;
	}
	default: break;
	}

	switch (kind) {
	case KT_EXEC_ENTER: {
		const struct kt_exec_enter *x = rec;
		switch (f) {
		case KT_F_FILENAME:       return v_str(x->filename, KT_FILENAME_LEN);
		case KT_F_ARGV:           return (struct kt_value){ .type = KT_V_ARGV };
		case KT_F_ARGC:           return v_int(x->argc);
		case KT_F_ARGV_TRUNCATED: return v_bool(x->flags & KT_EXEC_ARGV_TRUNCATED);
		default: return none;
		}
	}
	case KT_EXEC: {
		const struct kt_exec *x = rec;
		switch (f) {
		case KT_F_FILENAME:       return v_str(x->filename, KT_FILENAME_LEN);
		case KT_F_ARGV:           return (struct kt_value){ .type = KT_V_ARGV };
		case KT_F_ARGC:           return v_int(exec_argc(x));
		case KT_F_ARGV_TRUNCATED: return v_bool(x->flags & KT_EXEC_ARGV_TRUNCATED);
		case KT_F_OLD_PID:        return v_int(x->old_pid);
		default: return none;
		}
	}
	case KT_EXEC_EXIT:
		return f == KT_F_RET ? v_int(((const struct kt_exec_exit *)rec)->ret) : none;
	case KT_EXIT: {
		const struct kt_exit *x = rec;
		switch (f) {
		case KT_F_EXIT_CODE:   return v_int(x->exit_code);
		case KT_F_SIGNAL:      return v_int(x->signal);
		case KT_F_CORE_DUMPED: return v_bool(x->core_dumped);
		case KT_F_GROUP_DEAD:  return v_bool(x->group_dead);
		case KT_F_START_TIME:  return v_int((int64_t)x->start_time);
		case KT_F_LIFETIME:    return v_int(h->time > x->start_time ? (int64_t)(h->time - x->start_time) : 0);
		default: return none;
		}
	}
	case KT_FORK: case KT_VFORK: case KT_THREAD: {
		const struct kt_child *x = rec;
		switch (f) {
		case KT_F_CHILD_PID:   return v_int(x->child_pid);
		case KT_F_CHILD_TGID:  return v_int(x->child_tgid);
		case KT_F_CLONE_FLAGS: return v_int((int64_t)x->clone_flags);
		default: return none;
		}
	}
	case KT_FORK_EXIT: case KT_VFORK_EXIT: case KT_THREAD_EXIT: {
		const struct kt_child_exit *x = rec;
		switch (f) {
		case KT_F_CHILD_PID:  return v_int(x->child_pid);
		case KT_F_CHILD_TGID: return v_int(x->child_tgid);
		case KT_F_EXIT_CODE:  return v_int(x->exit_code);
		case KT_F_SIGNAL:     return v_int(x->signal);
		case KT_F_LIFETIME:
			return v_int(h->time > x->child_start_time ? (int64_t)(h->time - x->child_start_time) : 0);
		default: return none;
		}
	}
	case KT_ONCPU: case KT_OFFCPU: {
		const struct kt_switch *x = rec;
		if (f == KT_F_RUNTIME)
			return v_int((int64_t)x->runtime);
		if (kind == KT_ONCPU) {
			/* known only while kt.filter.runq is on, and the thread was
			 * seen becoming runnable */
			if (f == KT_F_RUNQ_LATENCY && x->runq_latency != KT_RUNQ_UNKNOWN)
				return v_int((int64_t)x->runq_latency);
			if (f == KT_F_WAKER_PID && x->waker_pid >= 0)
				return v_int(x->waker_pid);
			return none;
		}
		switch (f) {
		case KT_F_STATE:      return v_cstr(kt_state_letter(x->state));
		case KT_F_STATE_NAME: return v_cstr(kt_state_name(x->state));
		case KT_F_STATE_CODE: return v_int(x->state);
		case KT_F_STACK_ID:   return v_int(x->stack_id);
		case KT_F_KSTACK:     return (struct kt_value){ .type = KT_V_KSTACK, .i = x->stack_id };
		case KT_F_USTACK:     return ustack(x->ustack, h->tgid);
		default: return none;
		}
	}
	case KT_WAKEUP: {
		const struct kt_wakeup *x = rec;
		switch (f) {
		case KT_F_WAKER_PID:   return v_int(x->waker_pid);
		case KT_F_WAKER_TGID:  return v_int(x->waker_tgid);
		case KT_F_WAKER_COMM:  return v_str(x->waker_comm, KT_COMM_LEN);
		case KT_F_WAKER_IRQ:   return v_bool(x->flags & KT_WAKEUP_IRQ);
		case KT_F_TARGET_CPU:  return v_int(x->target_cpu);
		case KT_F_NEW_TASK:    return v_bool(x->flags & KT_WAKEUP_NEW);
		case KT_F_STACK_ID:    return v_int(x->stack_id);
		case KT_F_KSTACK:      return (struct kt_value){ .type = KT_V_KSTACK, .i = x->stack_id };
		case KT_F_USTACK:      return ustack(x->ustack, x->waker_tgid);   /* the waker's */
		default: return none;
		}
	}
	}
	return none;
}
