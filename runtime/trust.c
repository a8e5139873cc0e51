// SPDX-License-Identifier: GPL-2.0-or-later
/* Whether root may run a file: it and every folder above it are owned by
 * root or the invoking user and writable by nobody else (trust.h has the
 * rules). The system is reached through a struct kt_trust_lookup, so that
 * the rules can be tested without root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <pwd.h>
#include <grp.h>
#include <sys/xattr.h>
#include "trust.h"

/* ---- the rules ------------------------------------------------------------ */

static int member_index(const struct kt_trust_group *g, const char *name)
{
	int stored = g->n < KT_TRUST_MEMBERS ? g->n : KT_TRUST_MEMBERS;

	for (int i = 0; name && i < stored; i++)
		if (!strcmp(g->members[i], name))
			return i;
	return -1;
}

/* "alice, bob" (", ..." for members not named). */
static void list_members(const struct kt_trust_group *g, char *out, size_t len)
{
	int stored = g->n < KT_TRUST_MEMBERS ? g->n : KT_TRUST_MEMBERS;
	size_t used = 0;

	out[0] = 0;
	for (int i = 0; i < stored && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", g->members[i]);
	if (g->n > stored && used < len)
		snprintf(out + used, len - used, ", ...");
}

/* Whether only the owner can write through the group bits of st. */
static int check_group(const char *path, const struct stat *st, const struct kt_trust_lookup *lk,
		       char *why, size_t whylen)
{
	struct kt_trust_user owner;
	struct kt_trust_group g;
	char gname[KT_TRUST_NAME + 16], members[512];
	int others;

	if (lk->has_acl && lk->has_acl(path) == 1) {
		snprintf(why, whylen, "%s has an access ACL that may let other users write it", path);
		return -1;
	}
	if (lk->group(st->st_gid, &g)) {
		snprintf(why, whylen, "%s is writable by group %u, which has no entry in the group "
			 "database", path, (unsigned)st->st_gid);
		return -1;
	}
	snprintf(gname, sizeof(gname), "%s", g.name);
	list_members(&g, members, sizeof(members));
	if (lk->user(st->st_uid, &owner)) {
		snprintf(why, whylen, "%s is writable by group %s, and its owner uid %u has no entry "
			 "in the user database", path, gname, (unsigned)st->st_uid);
		return -1;
	}
	others = g.n - (member_index(&g, owner.name) >= 0);
	if (others > 0) {
		snprintf(why, whylen, "%s is writable by group %s (members: %s)", path, gname, members);
		return -1;
	}
	if (st->st_gid != owner.gid) {
		snprintf(why, whylen, "%s is writable by group %s, which is not the private group "
			 "of its owner %s", path, gname, owner.name);
		return -1;
	}
	return 0;
}

static int check_one(const char *path, int is_file, uid_t invoker,
		     const struct kt_trust_lookup *lk, char *why, size_t whylen)
{
	struct stat st;

	if (lk->stat(path, &st)) {
		snprintf(why, whylen, "cannot check %s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != invoker) {
		struct kt_trust_user u;

		if (lk->user(st.st_uid, &u) == 0)
			snprintf(why, whylen, "%s is owned by uid %u (%s), not root or the invoking user",
				 path, (unsigned)st.st_uid, u.name);
		else
			snprintf(why, whylen, "%s is owned by uid %u, not root or the invoking user",
				 path, (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_mode & S_IWOTH) {
		if (is_file || !S_ISDIR(st.st_mode)) {
			snprintf(why, whylen, "%s is writable by everyone", path);
			return -1;
		}
		if (!(st.st_mode & S_ISVTX)) {
			snprintf(why, whylen, "%s is a folder writable by everyone, without the sticky bit",
				 path);
			return -1;
		}
	}
	if (st.st_mode & S_IWGRP)
		return check_group(path, &st, lk, why, whylen);
	return 0;
}

int kt_trust_check(const char *path, uid_t invoker, const struct kt_trust_lookup *lk,
		   char *why, size_t whylen)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (path[0] != '/' || n >= sizeof(buf)) {
		snprintf(why, whylen, "cannot check %s: not an absolute path", path);
		return -1;
	}
	memcpy(buf, path, n + 1);
	if (check_one(buf, 1, invoker, lk, why, whylen))
		return -1;
	while (n > 1) {                         /* each folder above, up to / */
		while (n > 1 && buf[n - 1] == '/')   /* "/a/b/" -> "/a/b" */
			n--;
		while (n > 0 && buf[n - 1] != '/')   /* -> "/a/" */
			n--;
		while (n > 1 && buf[n - 1] == '/')   /* -> "/a" */
			n--;
		buf[n] = 0;
		if (check_one(buf, 0, invoker, lk, why, whylen))
			return -1;
	}
	return 0;
}

/* ---- the system ------------------------------------------------------------ */

static int sys_stat(const char *path, struct stat *st)
{
	return stat(path, st);
}

static int sys_user(uid_t uid, struct kt_trust_user *u)
{
	struct passwd *pw = getpwuid(uid);

	if (!pw)
		return -1;
	u->gid = pw->pw_gid;
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	return 0;
}

static void add_member(struct kt_trust_group *g, const char *name)
{
	if (member_index(g, name) >= 0)
		return;
	if (g->n < KT_TRUST_MEMBERS)
		snprintf(g->members[g->n], sizeof(g->members[0]), "%s", name);
	g->n++;
}

static int sys_group(gid_t gid, struct kt_trust_group *g)
{
	struct group *gr = getgrgid(gid);
	struct passwd *pw;

	if (!gr)
		return -1;
	snprintf(g->name, sizeof(g->name), "%s", gr->gr_name);
	g->n = 0;
	for (char **m = gr->gr_mem; m && *m; m++)
		add_member(g, *m);
	/* whoever has it as their primary group is in it too */
	setpwent();
	while ((pw = getpwent()))
		if (pw->pw_gid == gid)
			add_member(g, pw->pw_name);
	endpwent();
	return 0;
}

static int sys_has_acl(const char *path)
{
	return getxattr(path, "system.posix_acl_access", NULL, 0) > 0;
}

const struct kt_trust_lookup kt_trust_system = {
	.stat = sys_stat, .user = sys_user, .group = sys_group, .has_acl = sys_has_acl,
};

uid_t kt_trust_invoker(void)
{
	const char *s = getenv("SUDO_UID");
	char *end;
	unsigned long v;

	if (getuid() != 0 || !s || !*s || *s < '0' || *s > '9')
		return getuid();
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v != (uid_t)v || (uid_t)v == (uid_t)-1)
		return getuid();
	return (uid_t)v;
}

int kt_trust_file(const char *file, uid_t invoker, char *why, size_t whylen)
{
	char real[PATH_MAX];

	if (!realpath(file, real)) {
		snprintf(why, whylen, "cannot check %s: %s", file, strerror(errno));
		return -1;
	}
	return kt_trust_check(real, invoker, &kt_trust_system, why, whylen);
}
