/* SPDX-License-Identifier: GPL-2.0-or-later */
/* User stacks of offCPU and wakeup events (e.ustack) as frame strings:
 * from the probes' user stack maps when live (by address: each frame's
 * file and offset from the process's mappings, umaps.c), each frame named
 * by usyms.c, or as a recording holds them. A stack whose frames are all
 * named is named once. */
#ifndef KT_USTACKS_H
#define KT_USTACKS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "keytime.h"

struct kt_session;
struct kt_ustacks;

/* kt.filter.ustacks: mode KT_USTACKS_ADDR, KT_USTACKS_BUILD_ID (keytime.h),
 * or 0 off; the host's side (its map, ustack_map.c) made first. 0; 1
 * with a message in err when on in another mode (this kernel cannot by
 * build-id: by address); or -1 with a message in err (off: this kernel
 * cannot). */
int kt_ustacks_switch(struct kt_session *s, int mode, char *err, size_t errlen);
void kt_ustacks_free(struct kt_ustacks *u);

/* A record's ustack (keytime.h: 1 + its id, past KT_USTACK_BUILD_ID_REF
 * when by build-id) of process tgid: fills frames (innermost first) and
 * returns how many; 0 when there is none. By address, frames are named
 * through tgid's mappings (umaps.h): tgid must be the process the stack
 * was taken in. The strings live until kt_ustacks_free. */
int kt_ustack_frames(struct kt_session *s, int32_t ustack, uint32_t tgid,
		     const char *frames[KT_STACK_DEPTH]);
/* A stack as a recording holds it. */
int kt_ustacks_add_recorded(struct kt_session *s, int32_t ustack, const char *const *frames, int n);
/* An exec seen live: its binary is where later frames may be. */
void kt_ustacks_exec_seen(struct kt_session *s, const void *rec, size_t size);
/* A record read live, before anything else looks at it: an exec, a fork
 * or a process's first user stack has its mappings read (umaps.h). */
void kt_ustacks_seen(struct kt_session *s, const void *rec, size_t size);

#endif
