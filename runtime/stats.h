/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The run's counts: events delivered, lost and not traced (stats.c). */
#ifndef KT_STATS_H
#define KT_STATS_H

struct kt_session;

/* Pushes what kt.stats() returns. */
void kt_stats_push(struct kt_session *s);
/* The end of the run on stderr: events lost, tasks not traced, handler
 * errors (which make the exit status 1). */
void kt_stats_report(struct kt_session *s);

#endif
