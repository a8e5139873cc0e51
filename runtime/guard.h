/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runaway scripts: a watchdog and a memory limit (guard.c). */
#ifndef KT_GUARD_H
#define KT_GUARD_H
#include <stddef.h>

struct kt_session;

enum { KT_RUNAWAY_TIME = 1, KT_RUNAWAY_MEMORY = 2 };
void kt_guard_start(struct kt_session *s);
void kt_guard_stop(void);
void kt_guard_pause(void);    /* while the loop sleeps */
void kt_guard_resume(void);
void kt_guard_enter(void);   /* before each call into the script */
void *kt_guard_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

#endif
