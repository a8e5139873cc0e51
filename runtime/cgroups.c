// SPDX-License-Identifier: GPL-2.0-or-later
/* cgroup v2 on this host (cgroups.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdbool.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <unistd.h>
#include <ctype.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "cgroups.h"
#include "container_id.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#define FILEID_KERNFS 0xfe   /* kernfs's file handle: the node's 64-bit id */

static char mount_path[4096];
static int mount_known;   /* 0: not looked for, 1: found, -1: none */

const char *kt_cgroup_mount(void)
{
	const char *env = getenv("KEYTIME_CGROUP_ROOT");
	char line[8192];
	FILE *f;

	if (env && *env)
		return env;
	if (mount_known)
		return mount_known > 0 ? mount_path : NULL;
	mount_known = -1;
	if (!(f = fopen("/proc/self/mountinfo", "re")))
		return NULL;
	/* id parent major:minor root mountpoint options... - fstype source super */
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		char mnt[4096];

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(mount_path, sizeof(mount_path), "%s", mnt);
			mount_known = 1;
			break;
		}
	}
	fclose(f);
	return mount_known > 0 ? mount_path : NULL;
}

/* The part of abs below the mount ("/" for the mount itself), or NULL. */
static const char *below_mount(const char *abs, const char *mnt)
{
	size_t n = strlen(mnt);

	while (n > 1 && mnt[n - 1] == '/')
		n--;
	if (strncmp(abs, mnt, n) || (abs[n] && abs[n] != '/'))
		return NULL;
	return abs[n] ? abs + n : "/";
}

int kt_cgroup_resolve(const char *path, uint64_t *id, char *rel, size_t rellen,
		      char *err, size_t errlen)
{
	const char *mnt = kt_cgroup_mount();
	char joined[8192], real[PATH_MAX];
	const char *under;
	struct statfs fs;
	struct stat st;

	if (!mnt) {
		snprintf(err, errlen, "no cgroup v2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup)");
		return -1;
	}
	if (!*path) {
		snprintf(err, errlen, "an empty cgroup path");
		return -1;
	}
	/* An absolute path inside the mount as it is; anything else below it. */
	if (path[0] == '/' && below_mount(path, mnt))
		snprintf(joined, sizeof(joined), "%s", path);
	else
		snprintf(joined, sizeof(joined), "%s/%s", mnt, path[0] == '/' ? path + 1 : path);
	if (!realpath(joined, real) || stat(real, &st)) {
		snprintf(err, errlen, "no such cgroup: %s (%s: %s)", path, joined, strerror(errno));
		return -1;
	}
	under = below_mount(real, mnt);
	if (!S_ISDIR(st.st_mode) || !under ||
	    (!getenv("KEYTIME_CGROUP_ROOT") && (statfs(real, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC))) {
		snprintf(err, errlen, "not a cgroup v2 directory: %s (the hierarchy is at %s)", path, mnt);
		return -1;
	}
	*id = st.st_ino;   /* kernfs: the inode number is the cgroup's id */
	snprintf(rel, rellen, "%s", under);
	kt_cgroup_remember(*id, under);
	return 0;
}

/* ---- id -> path, cached ------------------------------------------------ */

struct cached_path {
	uint64_t id;   /* 0: free */
	char *rel;
};

static struct cached_path *cache;
static size_t cache_cap, cache_used;

static struct cached_path *cache_slot(uint64_t id)
{
	size_t i = (id * 0x9e3779b97f4a7c15ULL) & (cache_cap - 1);

	while (cache[i].id && cache[i].id != id)
		i = (i + 1) & (cache_cap - 1);
	return &cache[i];
}

void kt_cgroup_remember(uint64_t id, const char *rel)
{
	struct cached_path *c;

	if (!id || !rel)
		return;
	if ((cache_used + 1) * 2 > cache_cap) {
		struct cached_path *old = cache;
		size_t old_cap = cache_cap;
		size_t cap = cache_cap ? cache_cap * 2 : 256;
		struct cached_path *n = calloc(cap, sizeof(*n));

		if (!n)
			return;
		cache = n, cache_cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].id)
				*cache_slot(old[i].id) = old[i];
		free(old);
	}
	c = cache_slot(id);
	if (c->id)
		return;   /* the first path seen stays */
	if (!(c->rel = strdup(rel)))
		return;
	c->id = id;
	cache_used++;
}

/* kernfs opens a node by its id as a file handle. */
static int path_by_handle(const char *mnt, uint64_t id, char *rel, size_t rellen)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS } };
	char link[64], abs[PATH_MAX];
	const char *under;
	int mfd, fd;
	ssize_t n;

	memcpy(h.fh.f_handle, &id, sizeof(id));
	if ((mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC | O_PATH);
	close(mfd);
	if (fd < 0)
		return -1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, abs, sizeof(abs) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	abs[n] = 0;
	if (!(under = below_mount(abs, mnt)))
		return -1;
	snprintf(rel, rellen, "%s", under);
	return 0;
}

const char *kt_cgroup_path_known(uint64_t id)
{
	struct cached_path *c;

	if (!id || !cache_cap || !(c = cache_slot(id))->id)
		return NULL;
	return *c->rel ? c->rel : NULL;
}

bool kt_cgroup_gone(uint64_t id)
{
	const char *mnt = kt_cgroup_mount();
	char rel[PATH_MAX];

	return mnt && path_by_handle(mnt, id, rel, sizeof(rel));
}

const char *kt_cgroup_path(uint64_t id)
{
	const char *mnt;
	char rel[PATH_MAX];
	struct cached_path *c;

	if (!id)
		return NULL;
	/* Asked for every event: a hit is a hash probe, no getenv() */
	if (cache_cap && (c = cache_slot(id))->id)
		return *c->rel ? c->rel : NULL;
	/* One look each: a cgroup gone before it was seen stays unknown. */
	mnt = kt_cgroup_mount();
	if (!mnt || path_by_handle(mnt, id, rel, sizeof(rel)))
		rel[0] = 0;
	kt_cgroup_remember(id, rel);
	return cache_cap && (c = cache_slot(id))->id && *c->rel ? c->rel : NULL;
}

/* ---- units --------------------------------------------------------------- */

/* Calls fn(path, name, arg) for each cgroup below the mount, breadth
 * first (shallow ones first), until it returns non-zero; returns that. */
static int walk(const char *mnt, int (*fn)(const char *path, const char *name, void *arg), void *arg)
{
	char **queue = NULL;
	size_t head = 0, tail = 0, cap = 64;
	int rc = 0;

	if (!(queue = malloc(sizeof(*queue) * cap)) || !(queue[tail++] = strdup(mnt)))
		goto out;
	while (head < tail && !rc) {
		char *dir = queue[head++];
		DIR *d = dir ? opendir(dir) : NULL;
		struct dirent *de;

		while (d && !rc && (de = readdir(d))) {
			char sub[PATH_MAX];

			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
			if ((rc = fn(sub, de->d_name, arg)))
				break;
			if (tail == cap) {
				char **q = realloc(queue, sizeof(*queue) * (cap *= 2));
				if (!q)
					break;
				queue = q;
			}
			queue[tail++] = strdup(sub);
		}
		if (d)
			closedir(d);
	}
out:
	for (size_t i = 0; i < tail; i++)
		free(queue[i]);
	free(queue);
	return rc;
}

struct unit_search {
	const char *name, *mnt;
	char *rel;
	size_t rellen;
};

static int is_unit(const char *path, const char *name, void *arg)
{
	struct unit_search *u = arg;

	if (strcmp(name, u->name))
		return 0;
	snprintf(u->rel, u->rellen, "%s", below_mount(path, u->mnt));
	return 1;
}

int kt_unit_cgroup(const char *unit, char *rel, size_t rellen, char *err, size_t errlen)
{
	const char *mnt = kt_cgroup_mount();
	char name[256];
	struct unit_search u = { name, mnt, rel, rellen };

	if (!mnt) {
		snprintf(err, errlen, "no cgroup v2 hierarchy is mounted");
		return -1;
	}
	if (!*unit || strchr(unit, '/') || strlen(unit) > 200) {
		snprintf(err, errlen, "not a unit name: %s", unit);
		return -1;
	}
	snprintf(name, sizeof(name), "%s%s", unit, strchr(unit, '.') ? "" : ".service");
	if (walk(mnt, is_unit, &u) == 1)
		return 0;
	snprintf(err, errlen, "no cgroup for unit %s below %s", name, mnt);
	return -1;
}

struct container_search {
	const char *prefix, *mnt;
	char id[65], other[65];   /* the first container matched; a second one */
	char rel[PATH_MAX];
};

static int is_container(const char *path, const char *name, void *arg)
{
	struct container_search *c = arg;
	char id[65];

	if (!kt_container_id(name, id) && !kt_container_id(below_mount(path, c->mnt), id))
		return 0;
	if (strncmp(id, c->prefix, strlen(c->prefix)))
		return 0;
	if (!c->id[0]) {   /* the shallowest cgroup of the first match */
		memcpy(c->id, id, sizeof(id));
		snprintf(c->rel, sizeof(c->rel), "%s", below_mount(path, c->mnt));
	} else if (strcmp(id, c->id)) {
		memcpy(c->other, id, sizeof(id));
		return 1;
	}
	return 0;
}

int kt_container_cgroup(const char *prefix, char *rel, size_t rellen, char *err, size_t errlen)
{
	const char *mnt = kt_cgroup_mount();
	struct container_search c = { .prefix = prefix, .mnt = mnt };
	size_t n = strlen(prefix);

	if (!mnt) {
		snprintf(err, errlen, "no cgroup v2 hierarchy is mounted");
		return -1;
	}
	if (n == 0 || n > 64 || strspn(prefix, "0123456789abcdef") != n) {
		snprintf(err, errlen, "not a container id or prefix (1 to 64 lower-case hex digits): %s", prefix);
		return -1;
	}
	if (walk(mnt, is_container, &c)) {
		snprintf(err, errlen, "%s matches several containers (%.12s, %.12s, ...): give more digits",
			 prefix, c.id, c.other);
		return -1;
	}
	if (!c.id[0]) {
		snprintf(err, errlen, "no container's cgroup matches %s (docker-, libpod-, crio-, "
			 "cri-containerd- below %s)", prefix, mnt);
		return -1;
	}
	snprintf(rel, rellen, "%s", c.rel);
	return 0;
}
