/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The live event loop (loop.c). */
#ifndef KT_LOOP_H
#define KT_LOOP_H

struct kt_session;

/* Drains the ring buffer until the run stops; returns after the last
 * events are delivered. */
void kt_loop_run(struct kt_session *s);

#endif
