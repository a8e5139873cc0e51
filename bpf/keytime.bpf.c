// SPDX-License-Identifier: GPL-2.0
/* keytime's probes: task creation (classified from clone flags), exec, exit,
 * children's ends as seen by their parents, and on/off-CPU switches.
 * Every program asks the filter map first and returns before reserving any
 * ring-buffer space when the task is not a target. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "keytime.h"

#define CLONE_VFORK  0x00004000
#define CLONE_THREAD 0x00010000

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} kt_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct kt_target_key);
	__type(value, struct kt_target);
} kt_targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kt_config);
} kt_config SEC(".maps");

/* Per kind: records the ring buffer had no room for. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KT_KIND_MAX);
	__type(key, __u32);
	__type(value, __u64);
} kt_lost SEC(".maps");

/* Children of targets, by child pid, until they end. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct kt_child_info);
} kt_children SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 8192);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KT_STACK_DEPTH * sizeof(__u64));
} kt_stacks SEC(".maps");

static __always_inline struct kt_config *current_config(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&kt_config, &zero);
}

/* The filter: -1 when the thread is not a target, else its entry's flags
 * (KT_TARGET_* bits; tracing every process counts as no flags). */
static __always_inline int
target_of(struct kt_config *c, __u32 pid, __u32 tgid)
{
	struct kt_target_key key;
	struct kt_target *t;

	if (!c->active || (tgid == c->self_tgid && !c->myproc))
		return -1;
	key.type = KT_TARGET_PID;
	key.id = pid;
	t = bpf_map_lookup_elem(&kt_targets, &key);
	if (t)
		return t->flags;
	key.type = KT_TARGET_TGID;
	key.id = tgid;
	t = bpf_map_lookup_elem(&kt_targets, &key);
	if (t)
		return t->flags;
	return c->all ? 0 : -1;
}

static __always_inline void count_lost(__u32 kind)
{
	__u64 *n = bpf_map_lookup_elem(&kt_lost, &kind);
	if (n)
		*n += 1;
}

static __always_inline void *reserve(__u64 size, __u32 kind)
{
	void *rec = bpf_ringbuf_reserve(&kt_events, size, 0);
	if (!rec)
		count_lost(kind);
	return rec;
}

/* Lifecycle events wake the reader at once; frequent switch events do not,
 * unless enough data waits: the reader also drains on a short timer. */
static __always_inline void submit_batched(void *rec, struct kt_config *c)
{
	__u64 flags = BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_query(&kt_events, BPF_RB_AVAIL_DATA) >= c->wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(rec, flags);
}

static __always_inline void fill_header(struct kt_header *h, __u32 kind,
					struct task_struct *task)
{
	h->time = bpf_ktime_get_ns();
	h->kind = kind;
	h->cpu = bpf_get_smp_processor_id();
	h->pid = BPF_CORE_READ(task, pid);
	h->tgid = BPF_CORE_READ(task, tgid);
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->reserved = 0;
	BPF_CORE_READ_STR_INTO(&h->comm, task, comm);
}

/* ---- task creation ---------------------------------------------------- */

SEC("tp_btf/task_newtask")
int BPF_PROG(kt_task_newtask, struct task_struct *task, u64 clone_flags)
{
	struct kt_config *c = current_config();
	struct task_struct *parent = bpf_get_current_task_btf();
	int flags;
	struct kt_child_info info = {};
	struct kt_child *rec;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = (__u32)id, tgid = id >> 32, kind;
	__u32 child_pid, child_tgid;

	if (!c)
		return 0;
	flags = target_of(c, pid, tgid);
	if (flags < 0)
		return 0;

	if (clone_flags & CLONE_THREAD)
		kind = KT_THREAD;
	else if (clone_flags & CLONE_VFORK)
		kind = KT_VFORK;
	else
		kind = KT_FORK;
	child_pid = BPF_CORE_READ(task, pid);
	child_tgid = BPF_CORE_READ(task, tgid);

	/* Follow descendants in the kernel, before the child can run. A new
	 * thread of a process targeted by tgid is already covered. */
	if (flags & KT_TARGET_FOLLOW) {
		struct kt_target_key key = { KT_TARGET_TGID, child_tgid };
		struct kt_target val = { KT_TARGET_FOLLOW | KT_TARGET_AUTO, pid };

		if (kind == KT_THREAD)
			key.type = KT_TARGET_PID, key.id = child_pid;
		if (!(kind == KT_THREAD &&
		      bpf_map_lookup_elem(&kt_targets, &(struct kt_target_key){ KT_TARGET_TGID, tgid })))
			bpf_map_update_elem(&kt_targets, &key, &val, BPF_NOEXIST);
	}

	info.kind = kind;
	info.parent_pid = pid;
	info.parent_tgid = tgid;
	info.parent_ppid = BPF_CORE_READ(parent, real_parent, tgid);
	bpf_get_current_comm(&info.parent_comm, sizeof(info.parent_comm));
	bpf_map_update_elem(&kt_children, &child_pid, &info, BPF_ANY);

	rec = reserve(sizeof(*rec), kind);
	if (!rec)
		return 0;
	fill_header(&rec->hdr, kind, parent);
	rec->child_pid = child_pid;
	rec->child_tgid = child_tgid;
	rec->clone_flags = clone_flags;
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

/* ---- exec ------------------------------------------------------------- */

static __always_inline int exec_enter(const char *filename, const char *const *argv)
{
	struct kt_config *c = current_config();
	struct kt_exec_enter *rec;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 i;

	if (!c || target_of(c, (__u32)id, id >> 32) < 0)
		return 0;
	rec = reserve(sizeof(*rec), KT_EXEC_ENTER);
	if (!rec)
		return 0;
	fill_header(&rec->hdr, KT_EXEC_ENTER, bpf_get_current_task_btf());
	rec->argc = 0;
	rec->flags = 0;
	if (bpf_probe_read_user_str(rec->filename, sizeof(rec->filename), filename) ==
	    sizeof(rec->filename))
		rec->flags |= KT_EXEC_FILENAME_TRUNCATED;

	for (i = 0; i < KT_ARGV_MAX; i++) {
		const char *arg = NULL;
		long n;

		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			goto done;
		n = bpf_probe_read_user_str(&rec->args[i * KT_ARG_LEN], KT_ARG_LEN, arg);
		if (n < 0)
			goto done;
		if (n == KT_ARG_LEN)
			rec->flags |= KT_EXEC_ARGV_TRUNCATED;
		rec->argc = i + 1;
	}
	/* All slots used: say so if there was more. */
	{
		const char *more = NULL;
		if (!bpf_probe_read_user(&more, sizeof(more), &argv[KT_ARGV_MAX]) && more)
			rec->flags |= KT_EXEC_ARGV_TRUNCATED;
	}
done:
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

static __always_inline int exec_exit(long ret)
{
	struct kt_config *c = current_config();
	struct kt_exec_exit *rec;
	__u64 id = bpf_get_current_pid_tgid();

	if (!c || target_of(c, (__u32)id, id >> 32) < 0)
		return 0;
	rec = reserve(sizeof(*rec), KT_EXEC_EXIT);
	if (!rec)
		return 0;
	fill_header(&rec->hdr, KT_EXEC_EXIT, bpf_get_current_task_btf());
	rec->ret = ret;
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int kt_execve_enter(struct trace_event_raw_sys_enter *ctx)
{
	return exec_enter((const char *)ctx->args[0], (const char *const *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_exit_execve")
int kt_execve_exit(struct trace_event_raw_sys_exit *ctx)
{
	return exec_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int kt_execveat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return exec_enter((const char *)ctx->args[1], (const char *const *)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int kt_execveat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return exec_exit(ctx->ret);
}

/* ---- exit ------------------------------------------------------------- */

SEC("tp_btf/sched_process_exit")
int BPF_PROG(kt_process_exit, struct task_struct *task, bool group_dead)
{
	struct kt_config *c = current_config();
	struct kt_child_info *info;
	struct kt_target_key key;
	__u32 pid = BPF_CORE_READ(task, pid), tgid = BPF_CORE_READ(task, tgid);
	__u32 status = BPF_CORE_READ(task, exit_code);
	__u64 start = BPF_CORE_READ(task, start_time);

	if (!c)
		return 0;
	if (target_of(c, pid, tgid) >= 0) {
		struct kt_exit *rec = reserve(sizeof(*rec), KT_EXIT);
		if (rec) {
			fill_header(&rec->hdr, KT_EXIT, task);
			rec->exit_code = (status >> 8) & 0xff;
			rec->signal = status & 0x7f;
			rec->core_dumped = !!(status & 0x80);
			rec->group_dead = group_dead;
			rec->start_time = start;
			bpf_ringbuf_submit(rec, 0);
		}
	}

	info = bpf_map_lookup_elem(&kt_children, &pid);
	if (info) {
		__u32 kind = info->kind + (KT_FORK_EXIT - KT_FORK);
		struct kt_child_exit *rec = reserve(sizeof(*rec), kind);
		if (rec) {
			struct kt_header *h = &rec->hdr;
			h->time = bpf_ktime_get_ns();
			h->kind = kind;
			h->cpu = bpf_get_smp_processor_id();
			h->pid = info->parent_pid;
			h->tgid = info->parent_tgid;
			h->ppid = info->parent_ppid;
			h->reserved = 0;
			__builtin_memcpy(h->comm, info->parent_comm, KT_COMM_LEN);
			rec->child_pid = pid;
			rec->child_tgid = tgid;
			rec->exit_code = (status >> 8) & 0xff;
			rec->signal = status & 0x7f;
			rec->child_start_time = start;
			bpf_ringbuf_submit(rec, 0);
		}
		bpf_map_delete_elem(&kt_children, &pid);
	}

	/* A thread or process that ended is no longer a target, so a reused
	 * pid is never mistaken for it. */
	key.type = KT_TARGET_PID;
	key.id = pid;
	bpf_map_delete_elem(&kt_targets, &key);
	if (group_dead) {
		key.type = KT_TARGET_TGID;
		key.id = tgid;
		bpf_map_delete_elem(&kt_targets, &key);
	}
	return 0;
}

/* ---- on/off CPU ------------------------------------------------------- */

SEC("tp_btf/sched_switch")
int BPF_PROG(kt_sched_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct kt_config *c = current_config();
	struct kt_switch *rec;

	if (!c || !c->cpu_events)
		return 0;
	if (target_of(c, prev->pid, prev->tgid) >= 0) {
		rec = reserve(sizeof(*rec), KT_OFFCPU);
		if (rec) {
			fill_header(&rec->hdr, KT_OFFCPU, prev);
			rec->state = preempt ? 0 : prev_state;
			rec->stack_id = c->stacks ? bpf_get_stackid(ctx, &kt_stacks, 0) : -1;
			submit_batched(rec, c);
		}
	}
	if (target_of(c, next->pid, next->tgid) >= 0) {
		rec = reserve(sizeof(*rec), KT_ONCPU);
		if (rec) {
			fill_header(&rec->hdr, KT_ONCPU, next);
			rec->state = 0;
			rec->stack_id = -1;
			submit_batched(rec, c);
		}
	}
	return 0;
}
