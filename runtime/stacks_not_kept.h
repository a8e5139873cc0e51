/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stacks the probes could not keep (kt_stacks_not_kept: bpf_get_stackid
 * failed, most often for a slot of the stack map holding another stack),
 * so an event's or a pair's empty stack is never taken for "no stack"
 * silently (stacks_not_kept.c). */
#ifndef KT_STACKS_NOT_KEPT_H
#define KT_STACKS_NOT_KEPT_H
#include <stdint.h>

struct kt_session;

/* The total since the run began; per side (kernel, user) into by_side when
 * given. 0 in a replay. */
uint64_t kt_stacks_not_kept(struct kt_session *s, uint64_t by_side[2]);
/* One line on stderr at the end of the run when any. */
void kt_stacks_not_kept_report(struct kt_session *s);

#endif
