/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Probes attached as the script needs them (demand.c). */
#ifndef KT_DEMAND_H
#define KT_DEMAND_H

struct kt_session;

#define KT_DEMAND_ANY 0   /* kt.on("*"): every kind */

/* A handler for kind (an enum kt_kind, or KT_DEMAND_ANY) was added: attach
 * what its events need. 0 or -errno. */
int kt_demand_subscribed(struct kt_session *s, int kind);
/* The main chunk has run: detach the switch program if no handler wants
 * its events and nobody chose. 0 or -errno. */
int kt_demand_script_loaded(struct kt_session *s);

#endif
