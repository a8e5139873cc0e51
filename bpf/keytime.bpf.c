// SPDX-License-Identifier: GPL-2.0-only
/* keytime's probes: task creation (classified from clone flags), exec, exit,
 * children's ends as seen by their parents, and on/off-CPU switches.
 * Every program asks the filter map first and returns before reserving any
 * ring-buffer space when the task is not a target. */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "keytime.h"
#include "runq_hist_map.h"
#include "offwake_map.h"

/* A task pointer to follow to the task's other objects (cred, cgroups,
 * pids, parent, mm). Newer verifiers mark a pointer loaded from a trusted
 * one (a tp_btf argument, the current task) trusted or RCU-safe only after
 * searching the kernel's BTF by name for the field
 * (btf_nested_type_is_trusted), at each such load in each state they
 * explore: on 6.18 two thirds of the probes' load time, 0.45 s of
 * keytime-run's start. The probes only read these objects, so the build
 * for kernels with bpf_rdonly_cast (6.2 on: KT_RDONLY_CAST, chosen at load
 * by runtime/probes.c) follows them from an untrusted read-only copy of
 * the pointer: no search; the loads through it are guarded by the JIT as
 * loads through untrusted pointers always are. The task's own fields are
 * still read through the trusted pointer: plain loads, which the guard
 * would make dearer at every switch. */
#ifdef KT_RDONLY_CAST
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define task_walk(t) ((struct task_struct *)bpf_rdonly_cast((t), bpf_core_type_id_kernel(struct task_struct)))
#else
#define task_walk(t) (t)
#endif

#define E2BIG        7
#define EFAULT       14
#define EEXIST       17
#define CLONE_VFORK  0x00004000
#define CLONE_THREAD 0x00010000

char LICENSE[] SEC("license") = "GPL";

/* Set by the reader when it found nothing to read and sleeps without a
 * timer (see submit()). */
struct kt_reader_state kt_reader SEC(".data.reader");

/* 4 MB: the reader drains every 50 ms and is woken sooner when a quarter of
 * it waits unread (kt_config.wakeup_fill), as a CPU finds at its
 * checkpoints (every kt_config.wakeup_bytes it submitted: a sixteenth,
 * 256 KB, with up to 4 CPUs; less with more: kt_wakeup_bytes(); see
 * submit()).
 * It holds the backlog of a switch storm for keytime.lua's table; a script
 * slower than its events on and on loses some with any size (figures in
 * bench/RESULTS.md); the losses are counted and reported. The reader maps
 * the data twice, so this is 8 MB of keytime-run's RSS (KEYTIME_RINGBUF_KB
 * changes it). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} kt_events SEC(".maps");

/* Both hash maps are sized by the host when loading (--max-targets; from
 * pid_max by default). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct kt_target_key);
	__type(value, struct kt_target);
} kt_targets SEC(".maps");

/* Targets by cgroup, uid and command name (struct kt_attr_key). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct kt_attr_key);
	__type(value, struct kt_target);
} kt_attrs SEC(".maps");

/* Per reason (enum kt_untraced_reason): tasks not traced for want of room. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KT_UNTRACED_MAX);
	__type(key, __u32);
	__type(value, __u64);
} kt_untraced SEC(".maps");

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

/* User stacks (kt_config.ustacks), walked by frame pointers, into a stack
 * map the host makes only once a script asks for them (ustack_map.c) and
 * puts in slot 0 of one of these; until then the slot is empty and no
 * stack is taken. KT_USTACKS_ADDR: the frames' addresses, which the host
 * resolves through the process's mappings (umaps.c). KT_USTACKS_BUILD_ID:
 * the build-id of the file mapped at each frame and the offset in it
 * (BPF_F_STACK_BUILD_ID), which the kernel looks up at every capture: far
 * dearer, but named even when the process ended before the host read it;
 * a frame whose mapping it could not look at (the mm lock taken) comes as
 * a bare address. The templates hold one entry: the kernel does not
 * compare an inner stack map's size. */
#define KT_BPF_F_STACK_BUILD_ID (1U << 5)
#define KT_BPF_F_USER_STACK     (1ULL << 8)

struct kt_ustack_addr_map {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KT_USTACK_DEPTH * sizeof(__u64));
};

struct kt_ustack_build_id_map {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(map_flags, KT_BPF_F_STACK_BUILD_ID);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KT_USTACK_DEPTH * KT_USTACK_FRAME_SIZE);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct kt_ustack_addr_map);
} kt_ustacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct kt_ustack_build_id_map);
} kt_ustacks_build_id SEC(".maps");

/* Per side (enum kt_stack_side): stacks bpf_get_stackid did not keep,
 * most for a slot of the map holding another stack (-EEXIST): the host
 * says how many at the end of the run. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KT_STACK_SIDES);
	__type(key, __u32);
	__type(value, __u64);
} kt_stacks_not_kept SEC(".maps");

static __always_inline void count_stack_not_kept(__u32 side)
{
	__u64 *n = bpf_map_lookup_elem(&kt_stacks_not_kept, &side);
	if (n)
		*n += 1;
}

/* The current task's kernel stack: its id in kt_stacks, or -errno.
 * A stack's slot is its hash, and the hash covers this program's return
 * address on top, which often comes back from load to load: with some
 * layouts two stacks of a run shared a slot every time (a futex wait and
 * a wait4, in 1 run of 10 of a demo). Taken again without that frame (the
 * host drops tracing frames by name), the stack most likely finds a slot
 * of its own. */
static __always_inline __s32 kernel_stack(void *ctx)
{
	long id = bpf_get_stackid(ctx, &kt_stacks, 0);

	if (id == -EEXIST)
		id = bpf_get_stackid(ctx, &kt_stacks, 1);
	if (id < 0)
		count_stack_not_kept(KT_STACK_KERNEL);
	return (__s32)id;
}

/* The current task's user stack as a record's ustack (keytime.h), taken
 * as kt_config.ustacks says. */
static __always_inline __s32 user_stack(void *ctx, __u32 mode)
{
	__u32 zero = 0;
	void *map;
	long id;

	if (mode == KT_USTACKS_BUILD_ID) {
		map = bpf_map_lookup_elem(&kt_ustacks_build_id, &zero);
		if (!map)
			return -1;
		id = bpf_get_stackid(ctx, map, KT_BPF_F_USER_STACK);
		if (id < 0 && id != -EFAULT)   /* -EFAULT: none (a kernel thread) */
			count_stack_not_kept(KT_STACK_USER);
		return id >= 0 ? (__s32)id + 1 + KT_USTACK_BUILD_ID_REF : (__s32)id;
	}
	map = bpf_map_lookup_elem(&kt_ustacks, &zero);
	if (!map)
		return -1;
	id = bpf_get_stackid(ctx, map, KT_BPF_F_USER_STACK);
	if (id < 0 && id != -EFAULT)
		count_stack_not_kept(KT_STACK_USER);
	return id >= 0 ? (__s32)id + 1 : (__s32)id;
}

/* The filter map's entries of the tasks last switched on this CPU. The
 * switch probe runs for every context switch on the system, two tasks
 * each; two hash lookups per task made an idle-targeted tracer cost a few
 * percent of a switch-heavy load. Entries rather than verdicts: they do
 * not depend on kt_config. They hold while kt_filter.gen has not moved.
 * Only the switch probe uses them: it runs with the run queue locked and
 * interrupts off, so no other program of ours runs on this CPU meanwhile.
 * The other probes run in the task's own context, where one can be
 * preempted halfway through a slot and another (a switch, or another
 * task's probe) write it: a torn slot would give one task another's
 * verdict. They look up the map; they run once per task, not per switch. */
#define KT_ENTRY_SLOTS 64

struct kt_entries {
	__u64 start_time;         /* the task: its start time and pid are never */
	__u64 gen;                /* the same for two tasks */
	__u32 pid;                /* (exec by a non-leader thread changes its pid) */
	__s32 pid_flags;          /* its KT_TARGET_PID entry's flags, -1: none */
	__s32 tgid_flags;         /* its process's KT_TARGET_TGID entry's, -1: none */
	__u32 pad;
};

/* Per CPU: what the probes keep between runs. */
struct kt_cpu_state {
	__u64 unannounced;        /* bytes submitted since this CPU last woke the reader */
	__u64 ctx_addr;           /* scratch: see in_interrupt_context() */
	__s64 irq_depth;          /* in interrupt entries seen and not left */
	struct kt_entries slot[KT_ENTRY_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kt_cpu_state);
} kt_cpu SEC(".maps");

static __always_inline struct kt_cpu_state *cpu_state(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&kt_cpu, &zero);
}

/* gen moves whenever the filter map changes: user space (keytime-run and
 * keytime-ctl, through kt_filter_changed()) adds to it after each change,
 * and an exit here after it removes entries. The kernel's other changes add
 * entries for new tasks only, which no slot holds yet. It starts at 1: a
 * zeroed slot is never valid. In a section of its own, so it is a map of
 * its own that keytime-ctl can reach through a pin and map into memory. */
struct kt_filter_summary kt_filter SEC(".data.filter") = { .gen = 1 };

static __always_inline bool maybe_entry(__u32 id)
{
	return kt_filter.bits[KT_FILTER_WORD(id)] & KT_FILTER_BIT(id);
}

/* Before adding an entry for id. */
static __always_inline void mark_entry(__u32 id)
{
	__sync_fetch_and_or(&kt_filter.bits[KT_FILTER_WORD(id)], KT_FILTER_BIT(id));
}

/* At least the number of entries in kt_children: while 0, an exit needs no
 * lookup there. */
__u64 kt_children_count;

static __always_inline struct kt_config *current_config(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&kt_config, &zero);
}

static __always_inline int entry_flags(__u32 type, __u32 id)
{
	struct kt_target_key key = { type, id };
	struct kt_target *t = bpf_map_lookup_elem(&kt_targets, &key);

	return t ? (int)t->flags : -1;
}

/* A task's entries in the filter map: flags, or -1 for none. */
static __always_inline void task_entries(struct task_struct *t, int *pid_flags, int *tgid_flags)
{
	__u32 pid = t->pid, tgid = t->tgid;

	*pid_flags = maybe_entry(pid) ? entry_flags(KT_TARGET_PID, pid) : -1;
	*tgid_flags = maybe_entry(tgid) ? entry_flags(KT_TARGET_TGID, tgid) : -1;
}

/* The same from this CPU's cache when valid: for the switch probe only. */
static __always_inline void switch_entries(struct task_struct *t, int *pid_flags, int *tgid_flags)
{
	/* read first: a move while looking up voids what is stored below */
	__u64 gen = *(volatile __u64 *)&kt_filter.gen;
	__u64 start = t->start_time;
	__u32 pid = t->pid;
	struct kt_cpu_state *cpu = cpu_state();
	struct kt_entries *e = NULL;

	if (cpu) {
		e = &cpu->slot[pid & (KT_ENTRY_SLOTS - 1)];
		if (e->pid == pid && e->start_time == start && e->gen == gen) {
			*pid_flags = e->pid_flags;
			*tgid_flags = e->tgid_flags;
			return;
		}
	}
	task_entries(t, pid_flags, tgid_flags);
	if (e) {
		e->start_time = start;
		e->pid = pid;
		e->pid_flags = *pid_flags;
		e->tgid_flags = *tgid_flags;
		e->gen = gen;
	}
}

/* ---- targets by cgroup, uid, command name (kt_attrs) ------------------ */

static __always_inline bool maybe_attr(__u32 type, __u64 v)
{
	__u32 bit = kt_attr_bit(type, v);

	return kt_filter.attr_bits[bit / 64] & (1ULL << (bit % 64));
}

static __always_inline int attr_lookup(struct kt_attr_key *key)
{
	struct kt_target *t = bpf_map_lookup_elem(&kt_attrs, key);

	return t ? (int)t->flags : -1;
}

/* The task's cgroup v2 and its ancestors, up to the root, each asked by
 * id: a task moved in later, or in a cgroup made later below a target,
 * counts at once. Walked by css.parent, which every kernel has (6.5+'s
 * bpf_task_under_cgroup and the shape of cgroup->ancestors[] vary). */
static __always_inline int cgroup_flags(struct task_struct *t)
{
	struct kt_attr_key key = { .type = KT_TARGET_CGROUP };
	struct cgroup *cg = task_walk(t)->cgroups->dfl_cgrp;

	for (int i = 0; i < KT_CGROUP_DEPTH && cg; i++) {
		struct cgroup_subsys_state *parent;
		__u64 id = cg->kn->id;

		if (maybe_attr(KT_TARGET_CGROUP, id)) {
			int f;

			key.id = id;
			if ((f = attr_lookup(&key)) >= 0)
				return f;
		}
		parent = cg->self.parent;
		if (!parent)
			break;
		cg = parent->cgroup;
	}
	return -1;
}

static __always_inline int uid_flags(struct task_struct *t)
{
	struct kt_attr_key key = { .type = KT_TARGET_UID };
	__u32 uid = task_walk(t)->cred->euid.val;

	if (!maybe_attr(KT_TARGET_UID, uid))
		return -1;
	key.id = uid;
	return attr_lookup(&key);
}

static __always_inline int comm_flags(struct task_struct *t)
{
	struct kt_attr_key key = { .type = KT_TARGET_COMM };
	__u64 w[2];

	__builtin_memcpy(w, t->comm, sizeof(w));
	if (!maybe_attr(KT_TARGET_COMM, kt_comm_fold(w[0], w[1])))
		return -1;
	__builtin_memcpy(key.comm, w, sizeof(w));
	return attr_lookup(&key);
}

/* The task's attribute entry's flags, or -1. Each type costs nothing while
 * it has no entry, and no hash lookup unless its bit is set. */
static __always_inline int attr_flags(struct task_struct *t)
{
	int f;

	if (kt_filter.attr_count[KT_TARGET_CGROUP] && (f = cgroup_flags(t)) >= 0)
		return f;
	if (kt_filter.attr_count[KT_TARGET_UID] && (f = uid_flags(t)) >= 0)
		return f;
	if (kt_filter.attr_count[KT_TARGET_COMM] && (f = comm_flags(t)) >= 0)
		return f;
	return -1;
}

/* The filter, from a task's entries: -1 when the task is not a target,
 * else its entry's flags (KT_TARGET_* bits; tracing every process counts
 * as no flags). */
static __always_inline int verdict(struct kt_config *c, struct task_struct *t,
				   int pid_flags, int tgid_flags)
{
	if (pid_flags >= 0)
		return pid_flags;
	if (tgid_flags >= 0)
		return tgid_flags;
	return c->all ? 0 : attr_flags(t);
}

static __always_inline bool never_traced(struct kt_config *c, struct task_struct *t)
{
	return !c->active || (t->tgid == c->self_tgid && !c->myproc);
}

static __always_inline int target_of(struct kt_config *c, struct task_struct *t)
{
	int pid_flags, tgid_flags;

	if (never_traced(c, t))
		return -1;
	task_entries(t, &pid_flags, &tgid_flags);
	return verdict(c, t, pid_flags, tgid_flags);
}

static __always_inline int switch_target_of(struct kt_config *c, struct task_struct *t)
{
	int pid_flags, tgid_flags;

	if (never_traced(c, t))
		return -1;
	if (!maybe_entry(t->pid) && !maybe_entry(t->tgid))
		return c->all ? 0 : attr_flags(t);   /* no entry: most tasks, and no cache needed */
	switch_entries(t, &pid_flags, &tgid_flags);
	return verdict(c, t, pid_flags, tgid_flags);
}

static __always_inline void filter_changed(void)
{
	__sync_fetch_and_add(&kt_filter.gen, 1);
}

static __always_inline void count_lost(__u32 kind)
{
	__u64 *n = bpf_map_lookup_elem(&kt_lost, &kind);
	if (n)
		*n += 1;
}

static __always_inline void count_untraced(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&kt_untraced, &reason);
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

/* While events come, records go without waking the reader, which drains
 * every 50 ms. Each CPU looks at the ring's fill level once per
 * wakeup_bytes it submitted and wakes the reader when wakeup_fill (a
 * quarter of the ring) waits unread, so a burst need not wait for the
 * timer, and a flow the timer keeps up with wakes no one: each wake-up
 * is an interrupt on the traced CPU and another to wake the reader's,
 * dear in a VM (a wake-up at every checkpoint, 60 in a pingpong storm,
 * slowed it about 4% more than these, 15). By the time a checkpoint sees the
 * quarter, the CPUs have added at most their wakeup_bytes each (a
 * quarter of the ring in all): half the ring is left for the reader to
 * wake. Never a wake-up per record: a reader slower than its targets
 * would get one for every record. When none came for a while the
 * reader sleeps without a timer: then the ring buffer's own policy wakes
 * it for the first record (the one it has caught up to), and it drains
 * on its timer again. */
static __always_inline void submit(void *rec, __u32 size, struct kt_config *c)
{
	struct kt_cpu_state *cpu = cpu_state();
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (*(volatile __u32 *)&kt_reader.asleep) {
		flags = 0;
	} else if (!cpu) {
		flags = 0;   /* cannot happen; the ring buffer's own policy */
	} else {
		cpu->unannounced += size;
		if (cpu->unannounced >= c->wakeup_bytes) {
			cpu->unannounced = 0;
			/* unread as the reader last said: up to its publish step more */
			if (bpf_ringbuf_query(&kt_events, BPF_RB_AVAIL_DATA) >= c->wakeup_fill)
				flags = BPF_RB_FORCE_WAKEUP;
		}
	}
	bpf_ringbuf_submit(rec, flags);
}

/* The header of a record about a thread given by its ids and comm, at time. */
static __always_inline void fill_header_ids_at(struct kt_header *h, __u64 time, __u32 kind,
					       __u32 pid, __u32 tgid, __u32 ppid, const char *comm)
{
	h->time = time;
	h->kind = kind;
	h->cpu = bpf_get_smp_processor_id();
	h->pid = pid;
	h->tgid = tgid;
	h->ppid = ppid;
	h->reserved = 0;
	__builtin_memcpy(h->comm, comm, KT_COMM_LEN);
}

/* ... now. */
static __always_inline void fill_header_ids(struct kt_header *h, __u32 kind, __u32 pid,
					    __u32 tgid, __u32 ppid, const char *comm)
{
	fill_header_ids_at(h, bpf_ktime_get_ns(), kind, pid, tgid, ppid, comm);
}

/* The thread's number in its own pid namespace (the deepest), and that
 * namespace's inode. Read with probe reads: numbers[] is indexed by level. */
static __always_inline __u32 ns_number(struct task_struct *task, __u32 *ns_inum)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), &pid->numbers[level]);
	if (ns_inum)
		*ns_inum = BPF_CORE_READ(up.ns, ns.inum);
	return up.nr;
}

/* Who the thread is: uid, gid, cgroup, its ids in its pid namespace. */
static __always_inline void fill_ident(struct kt_header *h, struct task_struct *task)
{
	h->cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	h->uid = BPF_CORE_READ(task, cred, euid.val);
	h->gid = BPF_CORE_READ(task, cred, egid.val);
	h->nspid = ns_number(task, &h->pidns);
	h->nstgid = ns_number(BPF_CORE_READ(task, group_leader), NULL);
	h->ident_reserved = 0;
}

static __always_inline void fill_header(struct kt_header *h, __u32 kind,
					struct task_struct *task)
{
	/* comm is always NUL-terminated and padded (set_task_comm) */
	fill_header_ids(h, kind, task->pid, task->tgid, task_walk(task)->real_parent->tgid, task->comm);
	fill_ident(h, task);
}

/* The same for the records that come at every switch, wake-up, task
 * creation and exit: the task's pointers read with plain loads of the
 * kernel's typed pointers (the verifier guards them), not a probe read
 * each, which cost a pingpong switch about a third of the switch program's
 * time and a thread's exit (two records) half of the exit program's. Only
 * there: each plain load of a pointer makes the verifier search the
 * kernel's BTF by name (btf_nested_type_is_trusted), which adds to the
 * probes' load time at every place it is inlined (exec, rare, keeps probe
 * reads). numbers[] is indexed by level, which a plain
 * load cannot take: a task in a nested pid namespace (a container) takes a
 * probe read. */
static __always_inline __u32 ns_number_typed(struct task_struct *task, __u32 *ns_inum)
{
	struct pid *pid = task_walk(task)->thread_pid;
	unsigned int level = pid->level;
	struct upid up = {};
	__u32 nr;

	if (level == 0) {
		nr = pid->numbers[0].nr;
		barrier_var(nr);   /* kept apart from the probe read's: one load of two pointer kinds fails the verifier */
		if (ns_inum)
			*ns_inum = pid->numbers[0].ns->ns.inum;
		return nr;
	}
	bpf_core_read(&up, sizeof(up), &pid->numbers[level]);
	if (ns_inum)
		*ns_inum = BPF_CORE_READ(up.ns, ns.inum);
	return up.nr;
}

static __always_inline void fill_ident_hot(struct kt_header *h, struct task_struct *task)
{
	struct task_struct *w = task_walk(task);
	const struct cred *cred = w->cred;

	h->cgroup_id = w->cgroups->dfl_cgrp->kn->id;
	h->uid = cred->euid.val;
	h->gid = cred->egid.val;
	h->nspid = ns_number_typed(task, &h->pidns);
	h->nstgid = ns_number_typed(w->group_leader, NULL);
	h->ident_reserved = 0;
}

/* time: a probe that needs the time for more than its record reads the
 * clock once (a read is about a tenth of a switch record's cost). */
static __always_inline void fill_header_hot(struct kt_header *h, __u32 kind,
					    struct task_struct *task, __u64 time)
{
	fill_header_ids_at(h, time, kind, task->pid, task->tgid, task_walk(task)->real_parent->tgid, task->comm);
	fill_ident_hot(h, task);
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
	__u32 pid, tgid, kind;
	__u32 child_pid, child_tgid;

	int pid_flags, tgid_flags;

	if (!c || never_traced(c, parent))
		return 0;
	task_entries(parent, &pid_flags, &tgid_flags);
	flags = verdict(c, parent, pid_flags, tgid_flags);
	if (flags < 0)
		return 0;
	pid = parent->pid;
	tgid = parent->tgid;

	if (clone_flags & CLONE_THREAD)
		kind = KT_THREAD;
	else if (clone_flags & CLONE_VFORK)
		kind = KT_VFORK;
	else
		kind = KT_FORK;
	child_pid = task->pid;
	child_tgid = task->tgid;

	/* Follow descendants in the kernel, before the child can run. A new
	 * thread of a process targeted by tgid is already covered. */
	if (flags & KT_TARGET_FOLLOW) {
		struct kt_target_key key = { KT_TARGET_TGID, child_tgid };
		struct kt_target val = { KT_TARGET_FOLLOW | KT_TARGET_AUTO, pid };

		if (kind == KT_THREAD)
			key.type = KT_TARGET_PID, key.id = child_pid;
		/* New entries are for the new task only: no cached entries change. */
		if (!(kind == KT_THREAD && tgid_flags >= 0)) {
			long e;

			mark_entry(key.id);
			e = bpf_map_update_elem(&kt_targets, &key, &val, BPF_NOEXIST);
			if (e == -E2BIG)
				count_untraced(KT_UNTRACED_FILTER_FULL);
			else if (e && e != -EEXIST)
				count_untraced(KT_UNTRACED_FILTER_ERROR);
		}
	}

	info.kind = kind;
	info.parent_pid = pid;
	info.parent_tgid = tgid;
	info.parent_ppid = task_walk(parent)->real_parent->tgid;
	__builtin_memcpy(info.parent_comm, parent->comm, KT_COMM_LEN);
	info.parent_nspid = ns_number_typed(parent, NULL);
	if (bpf_map_update_elem(&kt_children, &child_pid, &info, BPF_ANY) == 0)
		__sync_fetch_and_add(&kt_children_count, 1);
	else
		count_untraced(KT_UNTRACED_CHILDREN_FULL);

	rec = reserve(sizeof(*rec), kind);
	if (!rec)
		return 0;
	fill_header_hot(&rec->hdr, kind, parent, bpf_ktime_get_ns());
	rec->child_pid = child_pid;
	rec->child_tgid = child_tgid;
	rec->clone_flags = clone_flags;
	submit(rec, sizeof(*rec), c);
	return 0;
}

/* ---- exec ------------------------------------------------------------- */

static __always_inline int exec_enter(const char *filename, const char *const *argv)
{
	struct kt_config *c = current_config();
	struct kt_exec_enter *rec;
	__u32 i;

	if (!c || target_of(c, bpf_get_current_task_btf()) < 0)
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
	submit(rec, sizeof(*rec), c);
	return 0;
}

static __always_inline int exec_exit(long ret)
{
	struct kt_config *c = current_config();
	struct kt_exec_exit *rec;

	if (!c || target_of(c, bpf_get_current_task_btf()) < 0)
		return 0;
	rec = reserve(sizeof(*rec), KT_EXEC_EXIT);
	if (!rec)
		return 0;
	fill_header(&rec->hdr, KT_EXEC_EXIT, bpf_get_current_task_btf());
	rec->ret = ret;
	submit(rec, sizeof(*rec), c);
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

/* A successful exec, from the new image: no syscall tracepoint, so nothing
 * slows the syscalls of the processes that are not traced, and the
 * arguments are read where the kernel has just copied them, always
 * resident (unlike the caller's strings at sys_enter_execve). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(kt_process_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct kt_config *c = current_config();
	struct kt_exec *rec;
	unsigned long start, end, len;

	if (!c || target_of(c, task) < 0)
		return 0;
	rec = reserve(sizeof(*rec), KT_EXEC);
	if (!rec)
		return 0;
	fill_header(&rec->hdr, KT_EXEC, task);
	rec->old_pid = old_pid;
	rec->flags = 0;
	rec->reserved = 0;
	if (bpf_probe_read_kernel_str(rec->filename, sizeof(rec->filename), bprm->filename) ==
	    sizeof(rec->filename))
		rec->flags |= KT_EXEC_FILENAME_TRUNCATED;
	start = task_walk(task)->mm->arg_start;
	end = task_walk(task)->mm->arg_end;
	len = end > start ? end - start : 0;
	if (len > KT_ARGS_BUF) {
		len = KT_ARGS_BUF;
		rec->flags |= KT_EXEC_ARGV_TRUNCATED;
	}
	if (len && bpf_probe_read_user(rec->args, len, (void *)start))
		len = 0;
	rec->args_len = len;
	/* user stacks by address: the host reads the new image's mappings
	 * at once, while it lives (a short command may be gone by the timer) */
	if (c->ustacks == KT_USTACKS_ADDR)
		bpf_ringbuf_submit(rec, BPF_RB_FORCE_WAKEUP);
	else
		submit(rec, sizeof(*rec), c);
	return 0;
}

/* ---- exit ------------------------------------------------------------- */

/* One body, two shapes of the tracepoint (the host loads the one the
 * running kernel has: runtime/kernel_shape.c). remove_group: the process's
 * entry goes here when its end is certain (else the host removes it on
 * reading the exit record). */
static __always_inline int process_exit(struct task_struct *task, bool group_dead,
					bool remove_group)
{
	struct kt_config *c = current_config();
	struct kt_child_info *info;
	struct kt_target_key key;
	__u32 pid = task->pid, tgid = task->tgid;
	__u32 status = task->exit_code;
	__u64 start = task->start_time;
	int pid_flags, tgid_flags;
	bool removed = false;

	if (!c)
		return 0;
	task_entries(task, &pid_flags, &tgid_flags);
	/* A thread or process that ended is no longer a target, so a reused
	 * pid is never mistaken for it. Before the records: a reader woken by
	 * them finds the map as it will stay. */
	key.type = KT_TARGET_PID;
	key.id = pid;
	if (pid_flags >= 0)
		removed = bpf_map_delete_elem(&kt_targets, &key) == 0;
	if (group_dead && remove_group && tgid_flags >= 0) {
		key.type = KT_TARGET_TGID;
		key.id = tgid;
		removed |= bpf_map_delete_elem(&kt_targets, &key) == 0;
	}
	if (removed)
		filter_changed();
	if (!never_traced(c, task) && verdict(c, task, pid_flags, tgid_flags) >= 0) {
		struct kt_exit *rec = reserve(sizeof(*rec), KT_EXIT);
		if (rec) {
			fill_header_hot(&rec->hdr, KT_EXIT, task, bpf_ktime_get_ns());
			rec->exit_code = (status >> 8) & 0xff;
			rec->signal = status & 0x7f;
			rec->core_dumped = !!(status & 0x80);
			rec->group_dead = group_dead;
			rec->start_time = start;
			submit(rec, sizeof(*rec), c);
		}
	}

	info = kt_children_count ? bpf_map_lookup_elem(&kt_children, &pid) : NULL;
	if (info) {
		__u32 kind = info->kind + (KT_FORK_EXIT - KT_FORK);
		struct kt_child_exit *rec = reserve(sizeof(*rec), kind);
		if (rec) {
			/* About the parent, as it was when it made the child. */
			struct task_struct *parent = task_walk(task)->real_parent;

			fill_header_ids(&rec->hdr, kind, info->parent_pid, info->parent_tgid,
					info->parent_ppid, info->parent_comm);
			/* The parent's identity while it is the child's parent still;
			 * a thread's creator is in the same process as the thread. */
			if (kind == KT_THREAD_EXIT || parent->tgid != info->parent_tgid)
				parent = task_walk(task)->group_leader;
			fill_ident_hot(&rec->hdr, parent);
			rec->hdr.nspid = info->parent_nspid;
			rec->child_pid = pid;
			rec->child_tgid = tgid;
			rec->exit_code = (status >> 8) & 0xff;
			rec->signal = status & 0x7f;
			rec->child_start_time = start;
			submit(rec, sizeof(*rec), c);
		}
		if (bpf_map_delete_elem(&kt_children, &pid) == 0)
			__sync_fetch_and_sub(&kt_children_count, 1);
	}

	return 0;
}

/* Kernels from 2025 on pass group_dead. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(kt_process_exit, struct task_struct *task, bool group_dead)
{
	return process_exit(task, group_dead, true);
}

/* Older ones (6.1, 6.12) pass the task only. do_exit() has already taken
 * the thread off signal->live, so the last thread to leave reads 0; but
 * threads ending together (exit_group with threads running) may all read
 * 0, each before the others reach this point. Each is then reported as the
 * group's end, and the process's entry is not removed here, or the others'
 * exits would no longer be targets: the host removes it when it reads the
 * first such record (runtime/loop.c), by when they have all passed. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(kt_process_exit_task_only, struct task_struct *task)
{
	return process_exit(task, task_walk(task)->signal->live.counter == 0, false);
}

/* task_struct's state field before 5.14 */
struct task_struct___state_pre_5_14 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline unsigned int task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___state_pre_5_14 *)t, state);
}

/* ---- run-queue waits (kt_config.runq) ---------------------------------- */

/* Per target thread, from the moment it became runnable (woken, or
 * switched out still runnable) to its next switch-in, where it is read and
 * cleared (the entry kept for the next wait). By pid, with the task's start
 * time against a reused pid; LRU, so a thread that ends leaves nothing for
 * good. A hash map rather
 * than task storage: 6.1's task storage may not be taken at sched_switch.
 * Now and then a switch-in comes with no sched_switch program run seen for
 * it (a switch-out then follows another: proctree's "missed"): the wait that
 * ended there is placed by the kernel's runtime count (the task ran
 * sum_exec_runtime - runtime since) and carried to the next switch-in seen. */
struct kt_runq_state {
	__u64 start_time;
	__u64 runnable_since;     /* bpf_ktime_get_ns(); 0: not waiting */
	__u64 runtime;            /* se.sum_exec_runtime when it began waiting */
	__u64 carried;            /* waits that ended at switch-ins not seen */
	__s32 waker_pid;          /* -1: became runnable by preemption */
	__u32 woken_on_cpu;       /* woken while still on a CPU, going to sleep */
	/* kt_config.offwake: the off-CPU spell open, from a blocking
	 * switch-out (the wakee's half of ow) to the next switch-in; its first
	 * wake-up fills the waker's half. In this entry rather than a map of
	 * its own: the switch probe looks it up once for both. */
	__u64 off_since;          /* 0: none open */
	__u32 off_woken;
	__u32 off_pad;
	struct kt_offwake_key ow;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct kt_runq_state);
} kt_runq SEC(".maps");

/* The thread's state, or NULL for none (or a reused pid's). */
static __always_inline struct kt_runq_state *runq_state(struct task_struct *t, __u32 *pid)
{
	struct kt_runq_state *st;

	*pid = t->pid;
	st = bpf_map_lookup_elem(&kt_runq, pid);
	return st && st->start_time == t->start_time ? st : NULL;
}

/* A switch-in not seen since st began waiting: carry the wait it ended. */
static __always_inline void runq_mend(struct kt_runq_state *st, struct task_struct *t, __u64 now)
{
	__u64 ran = t->se.sum_exec_runtime - st->runtime, in = now - ran;

	if (st->runnable_since && ran > 0 && ran < now && in > st->runnable_since)
		st->carried += in - st->runnable_since;
	st->runnable_since = 0;
}

/* The thread's entry when it had one (NULL: made now, or no room). */
static __always_inline struct kt_runq_state *runq_begin(struct task_struct *t, __s32 waker_pid,
							 __u64 now, bool on_cpu)
{
	__u32 pid;
	struct kt_runq_state *st = runq_state(t, &pid);

	if (st) {   /* carried stays */
		st->runnable_since = now;
		st->runtime = t->se.sum_exec_runtime;
		st->waker_pid = waker_pid;
		st->woken_on_cpu = on_cpu;
		return st;
	}
	struct kt_runq_state fresh = { t->start_time, now, t->se.sum_exec_runtime, 0, waker_pid, on_cpu };
	bpf_map_update_elem(&kt_runq, &pid, &fresh, BPF_ANY);
	return NULL;
}

/* Woken: it waits from now on. A wake-up may come while the thread is
 * still on a CPU, on its way to sleep (p->on_cpu): its switch-out follows. */
static __always_inline struct kt_runq_state *runq_woken(struct task_struct *p, __u32 waker_pid,
							 __u64 now)
{
	return runq_begin(p, waker_pid, now, p->on_cpu);
}

/* prev leaves the CPU: still runnable, it waits from now on; asleep, from
 * its wake-up on. A wait still open that did not begin during this run
 * ended at a switch-in not seen: mended. */
static __always_inline struct kt_runq_state *runq_switched_out(struct task_struct *prev,
								bool runnable, __u64 now)
{
	__u32 pid;
	struct kt_runq_state *st = runq_state(prev, &pid);
	__s32 waker = -1;
	bool pending;

	if (!st) {
		if (runnable)
			runq_begin(prev, -1, now, false);
		return NULL;
	}
	pending = st->runnable_since && st->woken_on_cpu;   /* woken during this run */
	if (pending)
		waker = st->waker_pid;
	else
		runq_mend(st, prev, now);
	st->woken_on_cpu = 0;
	if (!runnable)
		return st;   /* the wake-up's wait, or the carried one, stays; or none (kept, idle) */
	st->runnable_since = now;
	st->runtime = prev->se.sum_exec_runtime;
	st->waker_pid = waker;
	return st;
}

static __always_inline struct kt_runq_state *runq_switched_in(struct task_struct *next, __u64 now,
							       struct kt_switch *rec)
{
	__u32 pid;
	struct kt_runq_state *st = runq_state(next, &pid);

	if (!st)
		return NULL;
	if (st->runnable_since && now >= st->runnable_since) {
		rec->runq_latency = now - st->runnable_since + st->carried;
		rec->waker_pid = st->waker_pid;
	}
	/* kept, not waiting, for the next wait: a removal here and an insertion
	 * at the next wake-up cost a switch-heavy target more (LRU: the entries
	 * of threads gone make room) */
	st->runnable_since = 0;
	st->carried = 0;
	st->woken_on_cpu = 0;
	return st;
}

/* ---- run-queue latency histograms (kt_config.runq_hist) ---------------- */

/* By tgid, pid or cgroup id (bpf/runq_hist_map.h). 4096 of them; a latency
 * with no room left is counted in kt_runq_hist_full, never dropped
 * silently. The host removes the entries of tasks that have gone. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct kt_runq_hist);
} kt_runq_hist SEC(".maps");

__u64 kt_runq_hist_full;
/* Zero, to insert from: a value does not fit the 512-byte stack. */
const char kt_runq_hist_zero[sizeof(struct kt_runq_hist)];

/* Whether switches and wake-ups follow targets' run-queue waits. */
static __always_inline bool runq_on(struct kt_config *c)
{
	return c->runq || c->runq_hist || c->offwake;
}

static __always_inline void runq_hist_add(struct kt_config *c, struct task_struct *t, __u64 ns)
{
	struct kt_runq_hist *h;
	__u64 key;
	long e;

	if (!c->runq_hist || ns == KT_RUNQ_UNKNOWN)
		return;
	if (c->runq_hist == KT_RUNQ_HIST_CGROUP)   /* where it is now: a move counts at once */
		key = task_walk(t)->cgroups->dfl_cgrp->kn->id;
	else
		key = c->runq_hist == KT_RUNQ_HIST_PID ? t->pid : t->tgid;
	h = bpf_map_lookup_elem(&kt_runq_hist, &key);
	if (!h) {
		e = bpf_map_update_elem(&kt_runq_hist, &key, &kt_runq_hist_zero, BPF_NOEXIST);
		if (e && e != -EEXIST) {   /* -EEXIST: another CPU made it meanwhile */
			__sync_fetch_and_add(&kt_runq_hist_full, 1);
			return;
		}
		h = bpf_map_lookup_elem(&kt_runq_hist, &key);
		if (!h) {   /* removed by the host meanwhile */
			__sync_fetch_and_add(&kt_runq_hist_full, 1);
			return;
		}
	}
	__builtin_memcpy(h->comm, t->comm, KT_COMM_LEN);
	__sync_fetch_and_add(&h->sum_ns, ns);
	__sync_fetch_and_add(&h->slots[kt_runq_hist_slot(ns) & (KT_RUNQ_HIST_SLOTS - 1)], 1);
}

/* ---- off-CPU time by (wakee, waker) (kt_config.offwake) ----------------- */

/* The offwaketime idea kept in the kernel (bpf/offwake_map.h): a target
 * thread's spell from a blocking switch-out to its next switch-in, when a
 * wake-up came between, adds to its (wakee, waker) pair. 16384 pairs; a
 * spell with no room left is counted in kt_offwake_full, never dropped
 * silently. The host removes the pairs of processes that have gone. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct kt_offwake_key);
	__type(value, struct kt_offwake_total);
} kt_offwake SEC(".maps");

__u64 kt_offwake_full;

/* prev left the CPU in state: a blocking switch-out opens its spell (its
 * half of the pair taken now), any other closes what was open. st: its
 * entry (NULL: none yet). After the offCPU record is reserved, as a wake-up
 * looks after reserving its own, so both ways see wake-ups racing a
 * switch-out in the same order but for a few instructions. */
static __always_inline void offwake_switched_out(struct kt_config *c, struct kt_runq_state *st,
						 struct task_struct *prev, __u32 state, __u64 now,
						 __s32 kstack, __s32 ustack)
{
	__u32 pid = prev->pid;

	if (!c->offwake)
		return;
	if (!kt_offwake_blocking(state)) {
		if (st)
			st->off_since = 0;
		return;
	}
	if (!st) {
		struct kt_runq_state fresh = { .start_time = prev->start_time };

		bpf_map_update_elem(&kt_runq, &pid, &fresh, BPF_ANY);
		if (!(st = runq_state(prev, &pid)))
			return;
	}
	st->off_woken = 0;
	st->ow.tgid = prev->tgid;
	st->ow.kstack = kstack;
	st->ow.ustack = ustack;
	__builtin_memcpy(st->ow.comm, prev->comm, KT_COMM_LEN);
	st->off_since = now;
}

/* Whether a wake-up of the thread now would be the first of its open spell
 * (wake-ups of one task are serialized by its pi_lock). */
static __always_inline bool offwake_open(struct kt_config *c, struct kt_runq_state *st)
{
	return c->offwake && st && st->off_since && !st->off_woken;
}

static __always_inline void offwake_woken(struct kt_runq_state *st, struct task_struct *waker,
					  bool irq, __s32 kstack, __s32 ustack)
{
	st->ow.waker_tgid = waker->tgid;
	st->ow.waker_kstack = kstack;
	st->ow.waker_ustack = ustack;
	st->ow.flags = irq ? KT_WAKEUP_IRQ : 0;
	st->ow.reserved = 0;
	__builtin_memcpy(st->ow.waker_comm, waker->comm, KT_COMM_LEN);
	st->off_woken = 1;
}

/* The thread runs again at now: a spell a wake-up ended adds to its pair. */
static __always_inline void offwake_switched_in(struct kt_config *c, struct kt_runq_state *st,
						__u64 now)
{
	struct kt_offwake_key key;
	struct kt_offwake_total *t, zero = {};
	long e;

	if (!c->offwake || !st || !st->off_since)
		return;
	if (!st->off_woken || now < st->off_since) {
		st->off_since = 0;
		return;
	}
	__builtin_memcpy(&key, &st->ow, sizeof(key));
	__u64 ns = now - st->off_since;
	st->off_since = 0;
	st->off_woken = 0;
	t = bpf_map_lookup_elem(&kt_offwake, &key);
	if (!t) {
		e = bpf_map_update_elem(&kt_offwake, &key, &zero, BPF_NOEXIST);
		if (e && e != -EEXIST) {   /* -EEXIST: another CPU made it meanwhile */
			__sync_fetch_and_add(&kt_offwake_full, 1);
			return;
		}
		if (!(t = bpf_map_lookup_elem(&kt_offwake, &key))) {   /* removed by the host meanwhile */
			__sync_fetch_and_add(&kt_offwake_full, 1);
			return;
		}
	}
	__sync_fetch_and_add(&t->ns, ns);
	__sync_fetch_and_add(&t->count, 1);
}

/* ---- on/off CPU ------------------------------------------------------- */

static __always_inline int sched_switch(void *ctx, bool preempt, struct task_struct *prev,
					struct task_struct *next, unsigned int prev_state)
{
	struct kt_config *c = current_config();
	struct kt_runq_state *st = NULL;
	struct kt_switch *rec;
	__u64 now = 0;   /* the switch's time, read once: prev's and next's records, the waits */

	/* runq_hist, offwake: the program runs for them alone */
	if (!c || !(c->cpu_events || c->runq_hist || c->offwake))
		return 0;
	if (switch_target_of(c, prev) >= 0) {
		__u32 state = preempt ? 0 : prev_state;
		bool spell = c->offwake && kt_offwake_blocking(state);
		__s32 kstack = -1, ustack = KT_USTACK_NOT_ASKED;

		now = bpf_ktime_get_ns();
		if (runq_on(c))   /* TASK_RUNNING: it stays on the run queue */
			st = runq_switched_out(prev, preempt || task_state(prev) == 0, now);
		/* taken once, for the record and the spell alike */
		if ((c->cpu_events && c->stacks) || spell)
			kstack = kernel_stack(ctx);
		if (c->ustacks && (c->cpu_events || spell))
			ustack = user_stack(ctx, c->ustacks);
		rec = c->cpu_events ? reserve(sizeof(*rec), KT_OFFCPU) : NULL;
		if (rec) {
			fill_header_hot(&rec->hdr, KT_OFFCPU, prev, now);
			rec->state = state;
			rec->stack_id = c->stacks ? kstack : -1;
			rec->runtime = prev->se.sum_exec_runtime;
			rec->runq_latency = KT_RUNQ_UNKNOWN;
			rec->waker_pid = -1;
			rec->ustack = ustack;
			submit(rec, sizeof(*rec), c);
		}
		offwake_switched_out(c, st, prev, state, now, kstack, ustack);
	}
	if (switch_target_of(c, next) >= 0) {
		if (!now)
			now = bpf_ktime_get_ns();
		rec = c->cpu_events ? reserve(sizeof(*rec), KT_ONCPU) : NULL;
		if (rec) {
			fill_header_hot(&rec->hdr, KT_ONCPU, next, now);
			rec->state = 0;
			rec->stack_id = -1;
			rec->runtime = next->se.sum_exec_runtime;
			rec->runq_latency = KT_RUNQ_UNKNOWN;
			rec->waker_pid = -1;
			rec->ustack = KT_USTACK_NOT_ASKED;
			if (runq_on(c)) {
				st = runq_switched_in(next, now, rec);
				runq_hist_add(c, next, rec->runq_latency);
				offwake_switched_in(c, st, now);
			}
			submit(rec, sizeof(*rec), c);
		} else if (runq_on(c)) {
			/* lost, or no record wanted: still consume the state */
			struct kt_switch none = { .runq_latency = KT_RUNQ_UNKNOWN };

			st = runq_switched_in(next, now, &none);
			runq_hist_add(c, next, none.runq_latency);
			offwake_switched_in(c, st, now);
		}
	}
	return 0;
}

/* 5.18 on: the tracepoint passes the state prev leaves in. */
SEC("tp_btf/sched_switch")
int BPF_PROG(kt_sched_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	return sched_switch(ctx, preempt, prev, next, prev_state);
}

/* Before 5.18 (Ubuntu 22.04's 5.15, RHEL 9's 5.14) it does not: read it
 * from the task, which is what those kernels' tracepoint itself reported. */
SEC("tp_btf/sched_switch")
int BPF_PROG(kt_sched_switch_no_state, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	return sched_switch(ctx, preempt, prev, next, task_state(prev));
}

/* ---- wake-ups (kt_config.wakeups, kt_config.runq) ----------------------- */

/* Whether the waker runs in interrupt context. The preempt count would
 * say, but x86 keeps it in a per-CPU variable whose address a kernel
 * without CONFIG_KALLSYMS_ALL (this host's) does not give BPF. So two
 * signs, either enough:
 * - the interrupt entries and exits keytime sees (timer callbacks, device
 *   interrupt handlers, softirqs: the kt_wake_ctx_* programs below) count
 *   per CPU how deep in them it is;
 * - an interrupt that hit the kernel runs on the CPU's own IRQ stack: a
 *   tp_btf program's ctx (its arguments array, on the stack of whatever
 *   context hit the tracepoint) outside the current task's stack means
 *   interrupt context. That catches what the first does not see (IPIs,
 *   irq_work), unless the interrupt came from user mode, which runs on the
 *   task's stack. The address goes through memory to become a number, which
 *   root's programs may do (allow_ptr_leaks; keytime needs CAP_PERFMON).
 *   THREAD_SIZE is 16 KB on x86-64 and arm64 without KASAN.
 * Softirqs run by ksoftirqd are its own context: the waker is ksoftirqd. */
#define KT_THREAD_SIZE (16 << 10)

static __always_inline bool in_interrupt_context(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct kt_cpu_state *cpu = cpu_state();
	__u64 base = (__u64)cur->stack, at;

	if (!cpu)
		return false;
	if (cpu->irq_depth > 0)
		return true;
	cpu->ctx_addr = (__u64)ctx;
	at = *(volatile __u64 *)&cpu->ctx_addr;
	return at < base || at >= base + KT_THREAD_SIZE;
}

static __always_inline int irq_depth_add(int n)
{
	struct kt_cpu_state *cpu = cpu_state();

	if (cpu && (n > 0 || cpu->irq_depth > 0))   /* attached mid-interrupt: no exit first */
		cpu->irq_depth += n;
	return 0;
}

SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(kt_wake_ctx_hrtimer_in) { return irq_depth_add(1); }
SEC("tp_btf/hrtimer_expire_exit")
int BPF_PROG(kt_wake_ctx_hrtimer_out) { return irq_depth_add(-1); }
SEC("tp_btf/softirq_entry")
int BPF_PROG(kt_wake_ctx_softirq_in) { return irq_depth_add(1); }
SEC("tp_btf/softirq_exit")
int BPF_PROG(kt_wake_ctx_softirq_out) { return irq_depth_add(-1); }
SEC("tp_btf/irq_handler_entry")
int BPF_PROG(kt_wake_ctx_irq_in) { return irq_depth_add(1); }
SEC("tp_btf/irq_handler_exit")
int BPF_PROG(kt_wake_ctx_irq_out) { return irq_depth_add(-1); }

/* task_struct's cpu before 5.16 (then in thread_info) */
struct task_struct___cpu_pre_5_16 {
	unsigned int cpu;
} __attribute__((preserve_access_index));

static __always_inline __u32 task_cpu(struct task_struct *t)
{
	if (bpf_core_field_exists(t->thread_info.cpu))
		return BPF_CORE_READ(t, thread_info.cpu);
	return BPF_CORE_READ((struct task_struct___cpu_pre_5_16 *)t, cpu);
}

static __always_inline int wakeup(void *ctx, struct task_struct *p, __u32 flags)
{
	struct kt_config *c = current_config();
	struct task_struct *waker = bpf_get_current_task_btf();
	struct kt_runq_state *st = NULL;
	struct kt_wakeup *rec;
	__s32 kstack = -1, ustack = KT_USTACK_NOT_ASKED;
	bool wakee_target, irq, spell, have_k, have_u;
	__u64 now;

	if (!c)
		return 0;
	wakee_target = target_of(c, p) >= 0;
	if (!wakee_target && !(c->wakeups && target_of(c, waker) >= 0))
		return 0;
	now = bpf_ktime_get_ns();
	if (runq_on(c) && wakee_target)
		st = runq_woken(p, waker->pid, now);
	spell = offwake_open(c, st);
	if (!c->wakeups && !spell)
		return 0;
	irq = in_interrupt_context(ctx);
	/* taken once, for the record and the spell alike; in interrupt
	 * context, the user stack would be whichever task's the interrupt hit */
	if ((have_k = (c->wakeups && c->stacks) || spell))
		kstack = kernel_stack(ctx);
	if ((have_u = c->ustacks && (c->wakeups || spell)))
		ustack = irq ? -1 : user_stack(ctx, c->ustacks);
	rec = c->wakeups ? reserve(sizeof(*rec), KT_WAKEUP) : NULL;
	if (rec) {
		fill_header_hot(&rec->hdr, KT_WAKEUP, p, now);
		rec->waker_pid = waker->pid;
		rec->waker_tgid = waker->tgid;
		__builtin_memcpy(rec->waker_comm, waker->comm, KT_COMM_LEN);
		rec->target_cpu = task_cpu(p);
		rec->flags = flags | (irq ? KT_WAKEUP_IRQ : 0);
		rec->stack_id = c->stacks ? kstack : -1;
		rec->ustack = ustack;
		submit(rec, sizeof(*rec), c);
	}
	/* after the record, as the switch-out writes the spell after its own */
	if (offwake_open(c, st)) {
		if (!have_k)
			kstack = kernel_stack(ctx);
		if (c->ustacks && !have_u)
			ustack = irq ? -1 : user_stack(ctx, c->ustacks);
		offwake_woken(st, waker, irq, kstack, ustack);
	}
	return 0;
}

SEC("tp_btf/sched_waking")
int BPF_PROG(kt_wake_sched_waking, struct task_struct *p)
{
	return wakeup(ctx, p, 0);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(kt_wake_sched_wakeup_new, struct task_struct *p)
{
	return wakeup(ctx, p, KT_WAKEUP_NEW);
}
