/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Off-CPU time by (wakee, waker) kept in the kernel (kt_config.offwake):
 * the key and value of kt_offwake, shared by the probes and the host
 * (runtime/offwake.c), and which switch-outs open an off-CPU spell. */
#ifndef KT_OFFWAKE_MAP_H
#define KT_OFFWAKE_MAP_H

/* Who blocked where and who woke it. Stack ids as the records carry them:
 * kstack an id in kt_stacks or the helper's -errno (-EEXIST: the stack
 * map's slot held another stack); ustack keytime.h's KT_USTACK_* form. */
struct kt_offwake_key {
	__u32 tgid;               /* the wakee's process */
	__s32 kstack;
	__s32 ustack;
	__u32 waker_tgid;         /* in interrupt context: the task it hit */
	__s32 waker_kstack;
	__s32 waker_ustack;
	__u32 flags;              /* KT_WAKEUP_IRQ */
	__u32 reserved;
	char comm[KT_COMM_LEN];   /* the wakee's, at its switch-out */
	char waker_comm[KT_COMM_LEN];
};

/* Only ever added to, atomically: the host keeps the totals it last read. */
struct kt_offwake_total {
	__u64 ns;                 /* off-CPU time, switch-out to switch-in */
	__u64 count;              /* spells */
};

/* kt_stacks_not_kept's keys (per CPU): bpf_get_stackid failures. */
enum kt_stack_side { KT_STACK_KERNEL, KT_STACK_USER, KT_STACK_SIDES };

/* Whether a switch-out in this state (the offCPU record's: 0 when
 * preempted) opens a spell a wake-up may end: asleep, not runnable, not
 * dead (events.c's kt_state_letter "R" and "X"). */
static inline int kt_offwake_blocking(__u32 state)
{
	if (state == 0)
		return 0;
	if (state & 0x000f)       /* interruptible, uninterruptible, stopped, traced */
		return 1;
	return !(state & (0x0010 | 0x0020 | 0x0080));   /* EXIT_DEAD, EXIT_ZOMBIE, TASK_DEAD */
}

#endif
