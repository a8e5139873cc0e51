/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel types keytime's probes read, cut down to the fields they use.
 * Every record type here is marked preserve_access_index, so each field
 * access is a CO-RE relocation that libbpf resolves by name against the
 * running kernel's BTF at load time: neither the layout nor the
 * architecture need match any kernel. The build therefore needs no
 * /sys/kernel/btf/vmlinux (a package builder's kernel is not the user's),
 * and the same header serves x86_64 and arm64. A probe that reads a new
 * field adds it here, by the kernel's own name and type. */
#ifndef KT_KERNEL_TYPES_H
#define KT_KERNEL_TYPES_H

#include <linux/types.h>
#include <linux/bpf.h>      /* map types, BPF_ANY, ... (UAPI) */

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef int pid_t;
typedef _Bool bool;
enum { false = 0, true = 1 };

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	atomic_t live;                 /* threads not yet through do_exit() */
};

struct mm_struct {
	unsigned long arg_start, arg_end;
};

struct sched_entity {
	u64 sum_exec_runtime;
};

struct thread_info {
	u32 cpu;                       /* since 5.16; task_struct's cpu before */
};

typedef struct {
	u32 val;
} kuid_t;

typedef struct {
	u32 val;
} kgid_t;

struct cred {
	kuid_t euid;
	kgid_t egid;
};

struct kernfs_node {
	u64 id;                        /* the cgroup's id: its directory's inode */
};

struct cgroup;

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys_state *parent;
};

struct cgroup {
	struct cgroup_subsys_state self;
	struct kernfs_node *kn;
};

struct css_set {
	struct cgroup *dfl_cgrp;       /* the task's cgroup v2 */
};

struct pid_namespace;

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;            /* the task's own namespace: numbers[level] */
	struct upid numbers[1];
};

struct ns_common {
	unsigned int inum;
};

struct pid_namespace {
	struct ns_common ns;
};

struct task_struct {
	struct thread_info thread_info;
	unsigned int __state;          /* "state" before 5.14: see the probes */
	void *stack;
	int on_cpu;
	struct sched_entity se;
	struct mm_struct *mm;
	int exit_code;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	u64 start_time;
	char comm[16];
	struct signal_struct *signal;
	const struct cred *cred;
	struct css_set *cgroups;
	struct pid *thread_pid;
	struct task_struct *group_leader;
};

struct linux_binprm {
	const char *filename;
};

struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
};

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long id;
	long ret;
};

#pragma clang attribute pop

#endif
