/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The contract between the probes (bpf/keytime.bpf.c) and the host (runtime/):
 * event records, event kinds, and the layout of the filter and config maps.
 * Both sides include this file, so they never disagree on a layout. */
#ifndef KEYTIME_H
#define KEYTIME_H

#define KT_COMM_LEN      16
#define KT_FILENAME_LEN  256
#define KT_ARG_LEN       128                 /* one argv string, NUL included */
#define KT_ARGV_MAX      32                  /* arguments captured per exec */
#define KT_ARGS_BUF      (KT_ARGV_MAX * KT_ARG_LEN)
#define KT_STACK_DEPTH   64                  /* kernel frames kept per stack */
#define KT_USTACK_DEPTH  32                  /* user frames kept per stack */
/* A user stack frame as the kernel gives it by build-id (kt_ustacks_build_id,
 * BPF_F_STACK_BUILD_ID: linux/bpf.h's struct bpf_stack_build_id); by
 * address (kt_ustacks) it is a __u64. */
#define KT_USTACK_FRAME_SIZE 32
#define KT_USTACK_ENTRIES 4096               /* stacks each user stack map holds */

enum kt_kind {
	KT_EXEC_ENTER = 1,
	KT_EXEC_EXIT,
	KT_EXIT,          /* a target thread or process ended */
	KT_FORK,          /* a target created a child process by fork/clone */
	KT_VFORK,         /* ... by vfork (CLONE_VFORK, so posix_spawn too) */
	KT_THREAD,        /* ... a thread (CLONE_THREAD) */
	KT_FORK_EXIT,     /* that child ended: reported for its parent */
	KT_VFORK_EXIT,
	KT_THREAD_EXIT,
	KT_ONCPU,
	KT_OFFCPU,
	KT_EXEC,          /* a target's exec succeeded: the new image's argv */
	KT_WAKEUP,        /* a thread woke another: one of them is a target */
	KT_KIND_MAX,
};

/* Every record starts with this header. The pid/tgid/comm are the thread the
 * event is reported for (the parent, for creation and child-exit events). */
struct kt_header {
	__u64 time;               /* bpf_ktime_get_ns(): CLOCK_MONOTONIC, ns */
	__u32 kind;               /* enum kt_kind */
	__u32 cpu;
	__u32 pid;                /* thread id */
	__u32 tgid;               /* process id */
	__u32 ppid;               /* tgid of the real parent */
	__u32 reserved;
	char comm[KT_COMM_LEN];
	/* Who the thread is: the host resolves the cgroup's path and the
	 * container id in it (runtime/cgroups.c). */
	__u64 cgroup_id;          /* its cgroup v2 (the directory's inode) */
	__u32 uid;                /* effective uid and gid, as the host numbers them */
	__u32 gid;
	__u32 nspid;              /* its thread id and process id as its own pid */
	__u32 nstgid;             /* namespace numbers them (getpid() in a container) */
	__u32 pidns;              /* that namespace's inode (/proc/PID/ns/pid) */
	__u32 ident_reserved;
};

#define KT_EXEC_ARGV_TRUNCATED    1u   /* more arguments, or longer ones, than kept */
#define KT_EXEC_FILENAME_TRUNCATED 2u

struct kt_exec_enter {
	struct kt_header hdr;
	__u32 argc;               /* arguments kept in args[] */
	__u32 flags;              /* KT_EXEC_*_TRUNCATED */
	char filename[KT_FILENAME_LEN];
	char args[KT_ARGS_BUF];   /* argc slots of KT_ARG_LEN bytes, each NUL-terminated */
};

/* KT_EXEC: after a successful exec (sched_process_exec), from the new
 * image: its argument area is read as one block, the strings packed one
 * after the other, each NUL-terminated. */
struct kt_exec {
	struct kt_header hdr;
	__u32 old_pid;            /* the thread that called exec (a non-leader
	                           * thread takes the leader's pid) */
	__u32 flags;              /* KT_EXEC_*_TRUNCATED */
	__u32 args_len;           /* bytes used in args[] */
	__u32 reserved;
	char filename[KT_FILENAME_LEN];
	char args[KT_ARGS_BUF];
};

struct kt_exec_exit {
	struct kt_header hdr;
	__s64 ret;
};

struct kt_exit {
	struct kt_header hdr;
	__s32 exit_code;          /* wait status >> 8 */
	__s32 signal;             /* killing signal, 0 if it exited */
	__u32 core_dumped;
	__u32 group_dead;         /* 1 when the last thread of the process ended */
	__u64 start_time;         /* task start, CLOCK_MONOTONIC ns */
};

/* KT_FORK / KT_VFORK / KT_THREAD */
struct kt_child {
	struct kt_header hdr;
	__u32 child_pid;
	__u32 child_tgid;
	__u64 clone_flags;
};

/* KT_FORK_EXIT / KT_VFORK_EXIT / KT_THREAD_EXIT */
struct kt_child_exit {
	struct kt_header hdr;
	__u32 child_pid;
	__u32 child_tgid;
	__s32 exit_code;
	__s32 signal;
	__u64 child_start_time;
};

/* KT_ONCPU / KT_OFFCPU */
struct kt_switch {
	struct kt_header hdr;
	__s32 stack_id;           /* id in kt_stacks, or negative (none / not asked) */
	__u32 state;              /* offCPU: the state the task left in (0 = preempted) */
	__u64 runtime;            /* the task's time on a CPU so far as the kernel counts
	                           * it (se.sum_exec_runtime, ns; at offCPU it includes
	                           * the run just ended): mends a switch-in not seen */
	/* onCPU, while kt_config.runq is on: how long it waited on a run queue
	 * (KT_RUNQ_UNKNOWN: not seen becoming runnable), and who woke it
	 * (-1: preempted, or not seen). */
	__u64 runq_latency;
	__s32 waker_pid;
	__s32 ustack;             /* offCPU: its user stack (KT_USTACK_*) */
};

#define KT_RUNQ_UNKNOWN (~0ULL)

/* KT_WAKEUP: the header is the wakee's; the record comes from the waker's
 * context (sched_waking, sched_wakeup_new). */
#define KT_WAKEUP_IRQ 1u          /* the waker ran in interrupt context */
#define KT_WAKEUP_NEW 2u          /* the wakee is a new task (sched_wakeup_new) */

struct kt_wakeup {
	struct kt_header hdr;
	__u32 waker_pid;          /* the task that was current: in interrupt */
	__u32 waker_tgid;         /* context, whichever one the interrupt hit */
	char waker_comm[KT_COMM_LEN];
	__u32 target_cpu;         /* as the kernel's tracepoint says: the wakee's last CPU */
	__u32 flags;              /* KT_WAKEUP_* */
	__s32 stack_id;           /* the waker's kernel stack, or negative */
	__s32 ustack;             /* the waker's user stack (KT_USTACK_*) */
};

/* The ustack of a record: 0, not asked (kt_config.ustacks off; recordings
 * from before user stacks have 0 there); negative, asked but none (the
 * helper's -errno: a kernel thread, an interrupt, the map full); else
 * 1 + the stack's id in kt_ustacks' map, or KT_USTACK_BUILD_ID_REF + 1 + its
 * id in kt_ustacks_build_id's. */
#define KT_USTACK_NOT_ASKED 0
#define KT_USTACK_BUILD_ID_REF KT_USTACK_ENTRIES
#define KT_USTACK_BY_BUILD_ID(ref) ((ref) - 1 >= KT_USTACK_BUILD_ID_REF)
#define KT_USTACK_ID(ref)   (((ref) - 1) % KT_USTACK_ENTRIES)
#define KT_USTACKS_ADDR     1   /* kt_config.ustacks: frames as addresses */
#define KT_USTACKS_BUILD_ID 2   /* ... as build-id and offset */

/* Why a new task of a followed target is not traced, or a child's end not
 * told to its parent (kt_untraced, per CPU): counted, never silent. */
enum kt_untraced_reason {
	KT_UNTRACED_FILTER_FULL,   /* the filter map is full (--max-targets) */
	KT_UNTRACED_FILTER_ERROR,  /* adding it failed otherwise */
	KT_UNTRACED_CHILDREN_FULL, /* its end cannot be told to its parent */
	KT_UNTRACED_MAX,
};

/* The filter map (kt_targets): which threads and processes are traced. */
enum kt_target_type {
	KT_TARGET_PID = 1, KT_TARGET_TGID = 2,
	/* What a task is rather than which it is: entries in kt_attrs. */
	KT_TARGET_CGROUP = 3,     /* in this cgroup v2 or any below it */
	KT_TARGET_UID = 4,        /* effective uid */
	KT_TARGET_COMM = 5,       /* command name */
	KT_TARGET_TYPE_MAX,
};

struct kt_target_key {
	__u32 type;               /* enum kt_target_type */
	__u32 id;
};

#define KT_TARGET_FOLLOW 1u   /* add the target's new children as targets */
#define KT_TARGET_AUTO   2u   /* added by the kernel while following */

struct kt_target {
	__u32 flags;
	__u32 parent;             /* for AUTO entries: the pid that created it */
};

/* The attribute map (kt_attrs): targets by cgroup, uid or command name.
 * The value is a struct kt_target, as in kt_targets. */
struct kt_attr_key {
	__u32 type;               /* KT_TARGET_CGROUP, _UID or _COMM */
	__u32 reserved;
	__u64 id;                 /* the cgroup's id (its directory's inode), the uid */
	char comm[KT_COMM_LEN];   /* the command name, NUL-padded; zero otherwise */
};

#define KT_CGROUP_DEPTH 32    /* cgroup levels the probes walk up from a task's */

/* What user space and the probes share about the filter map, mapped into
 * memory on both sides (the probes' kt_filter global, .data.filter).
 * bits: a bit per id (pid or tgid, modulo KT_FILTER_BITS) set before an
 * entry with that id is added, never cleared: a clear bit means no entry,
 * so the probes skip the hash lookups for almost every task on the
 * machine. gen: moves after every change to the map (see the probes' cache). */
#define KT_FILTER_BITS 4096

struct kt_filter_summary {
	__u64 gen;
	__u64 bits[KT_FILTER_BITS / 64];
	/* kt_attrs: entries per type (0: the probes look at no attribute of
	 * that type), and a bit per entry (kt_attr_bit()) set before it is
	 * added, never cleared, as bits[] is for ids. */
	__u32 attr_count[KT_TARGET_TYPE_MAX];
	__u32 reserved;
	__u64 attr_bits[KT_FILTER_BITS / 64];
};

/* The bit of attr_bits[] for a cgroup id or uid (v), or a command name
 * folded into v (kt_comm_fold), salted by type. */
static inline __u32 kt_attr_bit(__u32 type, __u64 v)
{
	v ^= (__u64)type * 0x9e3779b97f4a7c15ULL;
	v ^= v >> 29;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 32;
	return (__u32)v % KT_FILTER_BITS;
}

static inline __u64 kt_comm_fold(__u64 lo, __u64 hi)
{
	return lo ^ (hi * 31);
}

/* The word of bits[] and the bit in it that stand for an id. */
#define KT_FILTER_WORD(id) (((id) / 64) % (KT_FILTER_BITS / 64))
#define KT_FILTER_BIT(id)  (1ULL << ((id) % 64))

/* The reader's side of the wake-up policy, mapped into keytime-run's
 * memory (the probes' kt_reader global, .data.reader). */
struct kt_reader_state {
	__u32 asleep;             /* the reader waits without a timer: wake it */
	__u32 reserved;
};

/* kt_config[0]: switches the host and scripts change while running. */
#define KT_NO_TIME_LIMIT 0xffffffffu   /* time_limit_s: remove the limit */

struct kt_config {
	__u32 active;             /* 0: attached but collecting nothing */
	__u32 all;                /* every process is a target */
	__u32 cpu_events;         /* onCPU/offCPU on (the original's -k 1) */
	__u32 myproc;             /* trace the tool's own process too */
	__u32 self_tgid;          /* the tool's own process */
	__u32 stacks;             /* record kernel stacks at offCPU */
	__u32 wakeup_bytes;       /* a CPU looks at the fill level once per this much it submitted */
	/* Set from outside (keytime-ctl) through the pinned map; the host reads
	 * them, the probes do not. */
	__u32 generation;         /* bumped on every change from outside */
	__u32 finish;             /* end the run */
	__u32 time_limit_s;       /* end the run this long after the change; 0: unchanged */
	__u32 reserved;
	/* The wake-up probes (attached while either is on). */
	__u32 wakeups;            /* report wakeup events */
	__u32 runq;               /* onCPU carries runq_latency and waker_pid */
	__u32 ustacks;            /* user stacks at offCPU and wakeup: 0 or KT_USTACKS_* */
	__u32 ustacks_reserved;
	/* Run-queue latency histograms kept in the kernel (bpf/runq_hist_map.h):
	 * 0 off, or KT_RUNQ_HIST_TGID / _PID. The switch and wake-up programs
	 * run while it is on, onCPU/offCPU records or not. */
	__u32 runq_hist;
	__u32 runq_hist_reserved;
	/* Off-CPU time by (wakee, waker) kept in the kernel (bpf/offwake_map.h):
	 * the switch and wake-up programs run while it is on, records or not. */
	__u32 offwake;
	__u32 offwake_reserved;
	/* A CPU's checkpoint (every wakeup_bytes it submitted) wakes the
	 * reader only when this much waits unread (see submit()). */
	__u32 wakeup_fill;
	__u32 wakeup_fill_reserved;
};

/* Records kept in kt_children, so a child's end can be told to its parent. */
struct kt_child_info {
	__u32 kind;               /* KT_FORK / KT_VFORK / KT_THREAD */
	__u32 parent_pid;
	__u32 parent_tgid;
	__u32 parent_ppid;
	char parent_comm[KT_COMM_LEN];
	__u32 parent_nspid;       /* its thread id in its own pid namespace */
};

#endif
