// SPDX-License-Identifier: GPL-2.0-only
/* The floor of any on/off-CPU tracer here: a sched_switch program that
 * does nothing. What attaching it costs a switch-heavy workload is what
 * no filter inside keytime's switch probe can win back. */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_switch")
int BPF_PROG(empty_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return 0;
}
