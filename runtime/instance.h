/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running tracers as seen from bpffs: each keytime-run pins its filter map,
 * config map and filter generation under /sys/fs/bpf/keytime/<pid>/ (root only), so
 * keytime-ctl can change its policy, as the original controller did. */
#ifndef KT_INSTANCE_H
#define KT_INSTANCE_H
#include <stdbool.h>
#include <sys/types.h>
#include "probes.h"

#define KT_PIN_ROOT "/sys/fs/bpf/keytime"

/* Pins the maps under KT_PIN_ROOT/<getpid()>. 0, or -1 with a message. */
int kt_instance_pin(const struct kt_probes *p, char *err, int errlen);
/* Removes this process's pins (safe to call when nothing is pinned). */
void kt_instance_unpin(void);

/* Removes the pins of tracers that are gone (killed before cleaning up).
 * Returns how many were removed. */
int kt_instance_clean_stale(void);

/* Live tracers' pids, at most max; returns the count. */
int kt_instance_list(pid_t *pids, int max);
/* Opens a tracer's pinned maps into p (its fds and filter summary). 0, or -1
 * with errno set. */
int kt_instance_open(pid_t pid, struct kt_probes *p);
void kt_instance_close(struct kt_probes *p);

#endif
