/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup v2 on this host: where it is mounted, a path's cgroup id, an id's
 * path (looked up once, then cached: a cgroup gone keeps the path it had),
 * and a systemd unit's cgroup. */
#ifndef KT_CGROUPS_H
#define KT_CGROUPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The cgroup v2 mount ($KEYTIME_CGROUP_ROOT if set), or NULL when there is
 * none. */
const char *kt_cgroup_mount(void);

/* PATH (absolute, or relative to the mount; "/a/b" as /proc/PID/cgroup
 * writes it counts as relative) to its id and its path below the mount
 * ("/a/b", "/" for the root). 0, or -1 with a one-line message. */
int kt_cgroup_resolve(const char *path, uint64_t *id, char *rel, size_t rellen,
		      char *err, size_t errlen);

/* The path below the mount of cgroup id, from the cache or looked up now
 * (and cached); NULL when not found. */
const char *kt_cgroup_path(uint64_t id);
/* The same from the cache alone (a replay's recorded paths). */
const char *kt_cgroup_path_known(uint64_t id);
/* Whether cgroup id is known to have been removed (false when there is no
 * cgroup v2 mount to ask). */
bool kt_cgroup_gone(uint64_t id);
/* Remember id's path (a cgroup the user named, or recorded). */
void kt_cgroup_remember(uint64_t id, const char *rel);

/* A systemd unit's cgroup (NAME, ".service" added when it has no suffix):
 * the directory of that name below the mount, searched breadth first.
 * 0 with its path below the mount in rel, or -1 with a message. */
int kt_unit_cgroup(const char *unit, char *rel, size_t rellen, char *err, size_t errlen);

/* A container's cgroup from its id or a unique prefix of it (container_id.h
 * names the runtimes' layouts): the shallowest cgroup holding that id. 0,
 * or -1 with a message (none matches, several do). */
int kt_container_cgroup(const char *prefix, char *rel, size_t rellen, char *err, size_t errlen);

#endif
