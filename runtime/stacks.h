/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel stacks of offCPU events as symbol strings: from the probes' stack
 * map when live, from the recording when replaying. Each address is
 * symbolized once. */
#ifndef KT_STACKS_H
#define KT_STACKS_H
#include <stdint.h>
#include "keytime.h"

struct kt_session;
struct kt_stacks;

void kt_stacks_free(struct kt_stacks *st);
/* Fills frames (innermost first, the probe's own frames left out) and
 * returns how many; 0 when the stack is unknown. The strings live until
 * kt_stacks_free. Asks the session's source, which uses one of: */
int kt_stack_frames(struct kt_session *s, int32_t stack_id, const char *frames[KT_STACK_DEPTH]);
/* the probes' stack map, each address symbolized once; */
int kt_stacks_symbolize(struct kt_session *s, int32_t stack_id, const char *frames[KT_STACK_DEPTH]);
/* the stacks a recording held, added as it is read. */
int kt_stacks_recorded(struct kt_session *s, int32_t stack_id, const char *frames[KT_STACK_DEPTH]);
int kt_stacks_add_recorded(struct kt_session *s, int32_t id, const char *const *frames, int n);

#endif
