/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Targets by what a task is: its cgroup (and those below), its uid, its
 * command name. The kt_attrs map and its counts and bits in the probes'
 * kt_filter, shared by keytime-run and keytime-ctl. */
#ifndef KT_ATTR_TARGETS_H
#define KT_ATTR_TARGETS_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "keytime.h"

struct kt_probes;

const char *kt_attr_type_name(__u32 type);

/* A target from the user's text, by kind: "cgroup" (a path), "unit" (a
 * systemd unit's cgroup), "container" (a container's cgroup, by its id or
 * a unique prefix), "uid" (a user name or uid), "comm" (a command name).
 * 0, or -1 with a one-line message. */
int kt_attr_parse(const char *kind, const char *text, struct kt_attr_key *key,
		  char *err, size_t errlen);
/* The target as the user would write it: a cgroup's path, a uid, a name. */
void kt_attr_describe(const struct kt_attr_key *key, char *buf, size_t len);

int kt_attr_add(struct kt_probes *p, const struct kt_attr_key *key, __u32 flags);
/* 0, or -1 (ENOENT: no such target). */
int kt_attr_remove(struct kt_probes *p, const struct kt_attr_key *key);
bool kt_attrs_empty(struct kt_probes *p);
void kt_attrs_each(struct kt_probes *p,
		   int (*fn)(const struct kt_attr_key *, const struct kt_target *, void *), void *arg);
int kt_attrs_clear(struct kt_probes *p);

#endif
